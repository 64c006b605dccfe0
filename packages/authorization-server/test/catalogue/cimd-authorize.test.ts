/**
 * Security catalogue, "Client ID Metadata Document fetching", seen where an
 * attacker sees it: GET /authorize with a URL client_id. cimd/*.test.ts
 * check each rule on the resolver; here a sample of each rule is driven
 * through the HTTP endpoint to show the outcome is an error page on the
 * AS, with no redirect to anything the document named, and (for SSRF and
 * URL shape) no connection at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureCimd, type ResolvedAddress } from '../../src/clients/index.ts';
import { startHarness, type Harness } from '../registration/harness.ts';
import { startDocServer, validDocument, type DocServer } from '../cimd/doc-server.ts';

let harness: Harness;
let docs: DocServer;

afterEach(async () => {
  await docs.close();
  await harness.close();
});

function authorize(clientId: string, redirectUri = 'http://127.0.0.1/callback'): Promise<Response> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 's',
  });
  return Promise.resolve(harness.app.request(`https://as.example/authorize?${query.toString()}`));
}

async function expectErrorPage(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await response.text()).toContain('invalid_client');
}

describe('CIMD at /authorize with the production setting (SSRF, URL shape)', () => {
  beforeEach(async () => {
    harness = await startHarness();
    docs = await startDocServer();
    docs.serveJson(validDocument('unused'));
  });

  it('shows an error page, never connecting, for a client_id host that resolves to 169.254.169.254', async () => {
    const lookups: string[] = [];
    configureCimd(harness.ctx, {
      resolver: async (hostname: string): Promise<ResolvedAddress[]> => {
        lookups.push(hostname);
        return [{ address: '169.254.169.254', family: 4 }];
      },
    });
    await expectErrorPage(await authorize(`https://metadata.evil.test:${docs.port}/client.json`));
    expect(lookups).toEqual(['metadata.evil.test']);
    expect(docs.connections).toBe(0);
  });

  it.each([
    ['an http: client_id', () => `http://127.0.0.1:${docs.port}/client.json`],
    ['a decimal IPv4 literal', () => `https://2130706433:${docs.port}/client.json`],
    ['a %2e%2e segment', () => `https://client.example/a/%2e%2e/client.json`],
    ['userinfo', () => `https://me@client.example/client.json`],
  ])('shows an error page, never connecting, for %s', async (_name, url) => {
    configureCimd(harness.ctx, {
      resolver: async () => {
        throw new Error('DNS must not be asked');
      },
    });
    await expectErrorPage(await authorize(url()));
    expect(docs.connections).toBe(0);
  });
});

describe('CIMD at /authorize: redirects, content and caching (AS on loopback)', () => {
  let clientId: string;
  beforeEach(async () => {
    harness = await startHarness({ cimd: { allowLoopback: true } });
    docs = await startDocServer();
    clientId = `${docs.origin}/client.json`;
  });

  it('shows an error page for a document answered with a 302, and never requests its target', async () => {
    docs.handle((req, res) => {
      if (req.url === '/client.json') res.writeHead(302, { location: '/moved.json' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(validDocument(clientId)));
    });
    await expectErrorPage(await authorize(clientId));
    expect(docs.requests).toEqual(['GET /client.json']);
  });

  it('shows an error page for a document carrying a client_secret, and does not cache it: the next request fetches again', async () => {
    docs.serveJson(validDocument(clientId, { client_secret: 'leaked' }), { 'cache-control': 'max-age=3600' });
    await expectErrorPage(await authorize(clientId));
    docs.serveJson(validDocument(clientId), { 'cache-control': 'max-age=3600' });
    const accepted = await authorize(clientId);
    expect(accepted.status).toBe(302);
    expect(docs.requests).toHaveLength(2);
  });

  it('shows an error page for a document whose client_id differs from its URL', async () => {
    docs.serveJson(validDocument(`${clientId}/`));
    await expectErrorPage(await authorize(clientId));
  });

  it('never redirects to a redirect_uri named only by a rejected document', async () => {
    docs.serveJson(validDocument(clientId, { redirect_uris: ['https://attacker.example/cb'], client_secret: 'x' }));
    const response = await authorize(clientId, 'https://attacker.example/cb');
    await expectErrorPage(response);
  });
});
