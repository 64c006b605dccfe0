/**
 * The authorization server the fuzz suite attacks: the in-process harness
 * (real app, SQLite, seeded people, orgs and scopes) plus a pool of real
 * artefacts obtained through its HTTP surface: authorization codes, access
 * and refresh tokens, a dynamically registered client, signed-in browsers,
 * pending interactions and the CSRF tokens that go with them. Generators mix
 * these valid values with hostile ones, so requests get past authentication
 * and CSRF checks into the code behind them.
 */
import { randomToken, sha256 } from '@gatehouse-auth/core';
import type { RouteShape } from '../../../../fuzz/hostile-http.ts';
import { csrfToken } from '../../src/session/csrf.ts';
import {
  addClient,
  authorizeUrl,
  CHALLENGE,
  createHarness,
  csrfOf,
  interactionIdOf,
  pathOf,
  REDIRECT,
  RESOURCE,
  signIn,
  TestBrowser,
  VERIFIER,
  type Harness,
  type Person,
} from '../authorize/harness.ts';

export const SECRET = 'fuzz-client-secret-0123456789abcdefghij';
const ADMIN_KEY = randomToken();

export interface Deployment {
  h: Harness;
  origin: string;
  known: RouteShape['known'];
  credentials: RouteShape['credentials'];
}

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const cookieOf = (browser: TestBrowser): string => [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const json = async (response: Response): Promise<Record<string, unknown>> => (await response.json()) as Record<string, unknown>;

/** An authorization code for `person` through /authorize, login and consent (or straight back when consent is remembered). */
async function codeFor(browser: TestBrowser, person: Person, params: Record<string, string> = {}): Promise<string> {
  let response = await browser.get(authorizeUrl({ scope: 'tickets:read offline_access', ...params }));
  for (let step = 0; step < 6; step++) {
    const location = response.headers.get('location') ?? '';
    if (location.startsWith(REDIRECT)) {
      const code = new URL(location).searchParams.get('code');
      if (!code) throw new Error(`no code in ${location}`);
      return code;
    }
    if (location.includes('/login')) {
      const page = await browser.get(pathOf(location));
      response = await browser.post('/login', { csrf: csrfOf(await page.text()), interaction: interactionIdOf(location), email: person.email, password: person.password });
      continue;
    }
    const id = interactionIdOf(location || response.url);
    const html = await (await browser.get(`/interaction/${id}`)).text();
    response = await browser.post(`/interaction/${id}`, { csrf: csrfOf(html), action: 'approve', scope: ['tickets:read'] });
  }
  throw new Error('authorization did not finish');
}

async function redeem(h: Harness, code: string): Promise<Record<string, unknown>> {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: VERIFIER, redirect_uri: REDIRECT, resource: RESOURCE, client_id: 'web-client' });
  return json(await h.app.request('/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
}

export async function createDeployment(): Promise<Deployment> {
  const h = await createHarness({
    adminKeyHash: sha256(ADMIN_KEY),
    // Limits would turn most cases into 429s after the first minute of a frozen clock; the fuzz wants the code behind them.
    registrationRateLimitPerMinute: 1_000_000_000,
    loginThrottle: { perAccount: 1_000_000_000, perIp: 1_000_000_000, windowSeconds: 60 },
  });
  const origin = h.issuer;
  // Open, so POST /signup runs its form handling instead of answering 404.
  await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: ['acme.test'] });
  await h.store.roles.upsert({ name: 'Management', description: 'Runs the company', permissions: ['tickets', 'finance', 'gatehouse:org:admin'] });
  await addClient(h.store, { id: 'rs-client', name: 'Resource server', redirectUris: [], grantTypes: [], tokenEndpointAuthMethod: 'client_secret_basic', secretHash: sha256(SECRET) });
  await addClient(h.store, { id: 'web-secret', name: 'Confidential web app', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'client_secret_post', secretHash: sha256(SECRET) });
  await addClient(h.store, {
    id: 'agent',
    name: 'Agent',
    kind: 'service',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    secretHash: sha256(SECRET),
    orgId: h.acme,
    roles: ['Engineering'],
  });

  const alice = new TestBrowser(h);
  const codes = [];
  for (let i = 0; i < 5; i++) codes.push(await codeFor(alice, h.alice));
  const first = await redeem(h, codes.pop()!);
  const second = await redeem(h, codes.pop()!);
  const agentToken = await json(
    await h.app.request('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('agent', SECRET) },
      body: 'grant_type=client_credentials&resource=' + encodeURIComponent(RESOURCE) + '&scope=tickets%3Aread',
    }),
  );
  const registered = await json(
    await h.app.request('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'Fuzzed', token_endpoint_auth_method: 'none' }),
    }),
  );

  // Pending interactions: one at the login step (fresh browser), one at consent (alice, prompt=consent).
  const fresh = new TestBrowser(h, '198.51.100.4');
  const loginPage = await fresh.get('/login');
  const freshLoginCsrf = csrfOf(await loginPage.text());
  const atLogin = interactionIdOf((await fresh.get(authorizeUrl())).headers.get('location'));
  const atConsent = interactionIdOf((await alice.get(authorizeUrl({ prompt: 'consent', scope: 'tickets:read tickets:write' }))).headers.get('location'));
  const aliceSecret = alice.cookies.get('gatehouse_browser') ?? '';
  const freshSecret = fresh.cookies.get('gatehouse_browser') ?? '';
  const aliceAccount = await json(await alice.get('/account/grants'));

  const bob = new TestBrowser(h, '198.51.100.5');
  await signIn(bob, h.bob);
  const bobOrg = await json(await bob.get(`/account/orgs/${h.acme}/grants`));
  const grantIds = ((aliceAccount.grants ?? []) as Array<{ id: string }>).map((g) => g.id);

  const str = (value: unknown): string[] => (typeof value === 'string' ? [value] : []);
  const accessTokens = [...str(first.access_token), ...str(second.access_token), ...str(agentToken.access_token)];
  const refreshTokens = [...str(first.refresh_token), ...str(second.refresh_token)];
  const csrfs = [
    freshLoginCsrf,
    csrfToken(aliceSecret, 'login'),
    csrfToken(aliceSecret, 'logout'),
    csrfToken(aliceSecret, 'signup'),
    csrfToken(freshSecret, atLogin),
    csrfToken(aliceSecret, atConsent),
    ...str(aliceAccount.csrf_token),
    ...str(bobOrg.csrf_token),
  ];
  const clientIds = ['web-client', 'web-secret', 'rs-client', 'agent', ...str(registered.client_id), 'https://client.example/metadata.json'];
  const known: RouteShape['known'] = {
    // OAuth parameters
    grant_type: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'password',
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ],
    code: codes,
    code_verifier: [VERIFIER, VERIFIER.slice(0, 42), `${VERIFIER}${'x'.repeat(100)}`],
    redirect_uri: [REDIRECT, 'https://client.example/other', 'https://client.example/cb/', 'https://CLIENT.example/cb', 'http://127.0.0.1:9/cb'],
    resource: [RESOURCE, 'https://MCP.ACME.test/mcp', 'https://mcp.acme.test/mcp/', 'https://mcp.acme.test/mcp#x', '/mcp', 'urn:x'],
    scope: ['tickets:read', 'tickets:read tickets:write', 'tickets:read offline_access', 'finance:reports:read', 'payroll:runs:approve', 'profile:read', 'tickets:read  tickets:read', 'openid'],
    client_id: clientIds,
    client_secret: [SECRET, `${SECRET}x`],
    refresh_token: refreshTokens,
    token: [...accessTokens, ...refreshTokens],
    token_type_hint: ['access_token', 'refresh_token', 'id_token'],
    response_type: ['code', 'token', 'code id_token', 'none'],
    code_challenge: [CHALLENGE, 'short', CHALLENGE.replace(/.$/, '+')],
    code_challenge_method: ['S256', 'plain', 's256'],
    state: ['state-123', 'x'.repeat(2000)],
    prompt: ['none', 'login', 'consent', 'select_account', 'login consent'],
    response_mode: ['query', 'fragment', 'form_post'],
    nonce: ['n-1'],
    // Forms of the pages
    csrf: csrfs,
    interaction: [atLogin, atConsent],
    email: [h.alice.email, h.bob.email, 'new@acme.test', 'ALICE@ACME.TEST '],
    password: [h.alice.password, h.bob.password, 'wrong password 123'],
    name: ['Mallory'],
    action: ['approve', 'deny', 'pick_org'],
    org: [h.acme, h.globex, 'acme'],
    // RFC 7591 metadata
    redirect_uris: [REDIRECT, 'http://127.0.0.1/cb', 'myapp://cb'],
    client_name: ['Fuzzed client'],
    token_endpoint_auth_method: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    application_type: ['web', 'native'],
    roles: ['Engineering', 'Management', 'Nope'],
    // Path segments
    id: [atLogin, atConsent, ...grantIds, h.alice.id, h.bob.id, 'web-client', 'agent'],
    clientId: clientIds,
    user: [h.alice.id, h.bob.id, h.carol.id],
  };
  const cookieAlice = cookieOf(alice);
  const credentials: RouteShape['credentials'] = [
    [['authorization', basic('rs-client', SECRET)]],
    [['authorization', basic('agent', SECRET)]],
    [['authorization', basic('web-secret', SECRET)]],
    [['authorization', `Bearer ${ADMIN_KEY}`]],
    ...str(registered.registration_access_token).map((token) => [['authorization', `Bearer ${token}`] as const]),
    ...accessTokens.map((token) => [['authorization', `Bearer ${token}`] as const]),
    [
      ['cookie', cookieAlice],
      ['origin', origin],
    ],
    [
      ['cookie', cookieAlice],
      ['origin', 'null'],
      ['sec-fetch-site', 'same-origin'],
    ],
    [
      ['cookie', cookieAlice],
      ['origin', origin],
      ['x-csrf-token', str(aliceAccount.csrf_token)[0] ?? ''],
    ],
    [
      ['cookie', cookieOf(bob)],
      ['origin', origin],
      ['x-csrf-token', str(bobOrg.csrf_token)[0] ?? ''],
    ],
    [
      ['cookie', cookieOf(fresh)],
      ['origin', origin],
    ],
    [['cookie', `${cookieAlice}; gatehouse_session=${'A'.repeat(43)}; gatehouse_browser=%zz`]],
  ];
  return { h, origin, known, credentials };
}
