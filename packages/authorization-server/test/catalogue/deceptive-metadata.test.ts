/**
 * Issue 10 #13, as the attacker found it: a metadata document's jwks
 * passed the private-key check unless it carried `d` (an RSA key with
 * `p`/`q`, a symmetric `oct` key with `k`), and client names and redirect
 * URIs accepted bidirectional control characters that make the consent
 * page show something other than what is registered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { resolveClient } from '../../src/clients/index.ts';
import { startHarness, type Harness } from '../registration/harness.ts';
import { startDocServer, validDocument, type DocServer } from '../cimd/doc-server.ts';

let harness: Harness;
let docs: DocServer | undefined;
afterEach(async () => {
  await docs?.close();
  docs = undefined;
  await harness.close();
});

const register = (body: unknown): Promise<Response> =>
  Promise.resolve(harness.app.request('https://as.example/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
const NATIVE = { application_type: 'native', client_name: 'Claude Code', redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' };

describe('A client metadata document carrying any private JWK member is refused (RFC 7517/7518 private parameters)', () => {
  it.each([
    ['an RSA key with p and q but no d', { kty: 'RSA', n: 'n', e: 'AQAB', p: 'p', q: 'q' }],
    ['an RSA key with only CRT members', { kty: 'RSA', n: 'n', e: 'AQAB', dp: 'a', dq: 'b', qi: 'c' }],
    ['an RSA key with oth', { kty: 'RSA', n: 'n', e: 'AQAB', oth: [] }],
    ['a symmetric oct key', { kty: 'oct', k: 'c2VjcmV0' }],
    ['an EC key with d', { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }],
  ])('refuses %s', async (_name, key) => {
    harness = await startHarness({ cimd: { allowLoopback: true } });
    docs = await startDocServer();
    const clientId = `${docs.origin}/client.json`;
    docs.serveJson(validDocument(clientId, { jwks: { keys: [key] } }));
    const error = await resolveClient(harness.ctx, clientId).then(
      () => undefined,
      (caught: { code?: string; detail?: string }) => caught,
    );
    expect(error).toMatchObject({ code: 'invalid_client', detail: expect.stringContaining('private key') });
    expect(await harness.store.clients.get(clientId)).toBeUndefined();
  });
});

describe('Names and redirect URIs shown to people carry no bidirectional or control characters', () => {
  const DECEPTIVE = [
    ['RIGHT-TO-LEFT OVERRIDE', '\u202e'],
    ['LEFT-TO-RIGHT EMBEDDING', '\u202a'],
    ['FIRST STRONG ISOLATE', '\u2068'],
    ['RIGHT-TO-LEFT MARK', '\u200f'],
    ['a C0 control (BEL)', '\u0007'],
    ['a C1 control (NEL)', '\u0085'],
  ];

  it.each(DECEPTIVE)('registration refuses a client_name with %s (invalid_client_metadata)', async (_name, char) => {
    harness = await startHarness();
    const response = await register({ ...NATIVE, client_name: `Acme ${char}elgoog Assistant` });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_client_metadata' });
  });

  it.each(DECEPTIVE)('registration refuses a redirect URI with %s (invalid_redirect_uri)', async (_name, char) => {
    harness = await startHarness();
    const response = await register({ ...NATIVE, redirect_uris: [`http://127.0.0.1/cb${char}moc.elgoog`] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_redirect_uri' });
  });

  it('a metadata document with a bidi override in its client_name is refused', async () => {
    harness = await startHarness({ cimd: { allowLoopback: true } });
    docs = await startDocServer();
    const clientId = `${docs.origin}/client.json`;
    docs.serveJson(validDocument(clientId, { client_name: 'Acme \u202eelgoog' }));
    await expect(resolveClient(harness.ctx, clientId)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('still accepts names in right-to-left scripts (only the formatting controls are refused)', async () => {
    harness = await startHarness();
    expect((await register({ ...NATIVE, client_name: 'مساعد أكمي' })).status).toBe(201);
  });
});

describe('docs/login.md names the Referrer-Policy the pages send', () => {
  it('the login and interaction pages send the policy docs/login.md names', async () => {
    harness = await startHarness();
    const doc = await readFile(new URL('../../../../docs/login.md', import.meta.url), 'utf8');
    const named = [...doc.matchAll(/Referrer-Policy: ([a-z-]+)/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(0);
    const login = await harness.app.request('https://as.example/login');
    const interaction = await harness.app.request('https://as.example/interaction/ia_unknown');
    for (const policy of named) {
      expect(login.headers.get('referrer-policy')).toBe(policy);
      expect(interaction.headers.get('referrer-policy')).toBe(policy);
    }
    expect(await login.text()).toContain('<meta name="referrer" content="no-referrer">');
  });
});
