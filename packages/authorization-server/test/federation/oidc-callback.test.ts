/**
 * The OIDC callback's own defences (issue 13), in process: the state is
 * bound to the browser that started the sign-in (login CSRF), used once,
 * and a callback the IdP's answer does not back signs no one in. The IdP
 * here answers discovery and refuses every code, so nothing can succeed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, TestBrowser, type Harness } from '../authorize/harness.ts';
import { listen, type Listening } from '../support/listen.ts';

let h: Harness;
let idp: Listening;
let tokenRequests = 0;

beforeEach(async () => {
  h = await createHarness();
  idp = await listen();
  tokenRequests = 0;
  idp.handle(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/.well-known/openid-configuration') {
      return Response.json({
        issuer: idp.origin,
        authorization_endpoint: `${idp.origin}/authorize`,
        token_endpoint: `${idp.origin}/token`,
        jwks_uri: `${idp.origin}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (pathname === '/token') {
      tokenRequests += 1;
      return Response.json({ error: 'invalid_grant' }, { status: 400 });
    }
    return new Response('not found', { status: 404 });
  });
  await h.store.federation.putProvider({
    orgId: h.acme,
    id: 'okta',
    type: 'oidc',
    source: 'admin_api',
    settings: { issuer: idp.origin, client_id: 'gh', client_secret: 'secret-secret-secret' },
    updatedAt: 1,
  });
});
afterEach(async () => idp.close());

const sessionOf = (browser: TestBrowser): string | undefined => [...browser.cookies].find(([name]) => name.endsWith('gatehouse_session'))?.[1];

async function start(browser: TestBrowser): Promise<URL> {
  const response = await browser.get('/sso/acme/okta/start');
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

describe('OIDC callback', () => {
  it('sends the browser to the IdP with PKCE S256, state, nonce and the registered redirect URI', async () => {
    const url = await start(new TestBrowser(h));
    expect(url.origin).toBe(idp.origin);
    expect(url.searchParams.get('redirect_uri')).toBe(`${h.issuer}/sso/acme/okta/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toMatch(/\S{20,}/);
    expect(url.searchParams.get('nonce')).toMatch(/\S{20,}/);
  });

  it('login CSRF: a callback carrying a state started in another browser is refused before the code is redeemed', async () => {
    const url = await start(new TestBrowser(h));
    const victim = new TestBrowser(h);
    const response = await victim.get(`/sso/acme/okta/callback?code=attacker-code&state=${url.searchParams.get('state')}&iss=${encodeURIComponent(idp.origin)}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('could not be accepted');
    expect(tokenRequests).toBe(0);
    expect(sessionOf(victim)).toBeUndefined();
  });

  it('a state is used once: the same callback again is refused without asking the IdP', async () => {
    const browser = new TestBrowser(h);
    const url = await start(browser);
    const callback = `/sso/acme/okta/callback?code=c1&state=${url.searchParams.get('state')}&iss=${encodeURIComponent(idp.origin)}`;
    expect((await browser.get(callback)).status).toBe(400);
    expect(tokenRequests).toBe(1);
    expect((await browser.get(callback)).status).toBe(400);
    expect(tokenRequests).toBe(1);
    expect(sessionOf(browser)).toBeUndefined();
  });

  it('a callback for another org or provider than the one started is refused', async () => {
    const browser = new TestBrowser(h);
    const url = await start(browser);
    await h.store.federation.putProvider({ orgId: h.globex, id: 'okta', type: 'oidc', source: 'admin_api', settings: { issuer: idp.origin, client_id: 'gh' }, updatedAt: 1 });
    const response = await browser.get(`/sso/globex/okta/callback?code=c1&state=${url.searchParams.get('state')}`);
    expect(response.status).toBe(400);
    expect(tokenRequests).toBe(0);
  });

  it('an unknown org or provider is a 404 page, and an unreachable IdP a 502 page', async () => {
    expect((await new TestBrowser(h).get('/sso/acme/nope/start')).status).toBe(404);
    expect((await new TestBrowser(h).get('/sso/nope/okta/start')).status).toBe(404);
    await h.store.federation.putProvider({ orgId: h.acme, id: 'down', type: 'oidc', source: 'admin_api', settings: { issuer: 'http://127.0.0.1:9/', client_id: 'gh' }, updatedAt: 1 });
    expect((await new TestBrowser(h).get('/sso/acme/down/start')).status).toBe(502);
  });
});
