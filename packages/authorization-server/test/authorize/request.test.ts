/**
 * /authorize request validation after the client and redirect_uri are
 * trusted: errors go back to the client with state and iss (RFC 6749
 * §4.1.2.1, RFC 9207), PKCE is S256-only (RFC 7636, OAuth 2.1), resource
 * is required and known (RFC 8707), scopes are checked (RFC 6749 §3.3).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addClient, authorizeUrl, callbackParams, createHarness, reachConsent, REDIRECT, RESOURCE, TestBrowser, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});

async function expectErrorRedirect(params: Record<string, string | null>, error: string): Promise<URLSearchParams> {
  const response = await new TestBrowser(h).get(authorizeUrl(params));
  expect(response.status).toBe(302);
  expect(response.headers.get('location')?.startsWith(`${REDIRECT}?`)).toBe(true);
  const query = callbackParams(response);
  expect(query.get('error')).toBe(error);
  expect(query.get('iss')).toBe(h.issuer);
  expect(query.get('code')).toBeNull();
  return query;
}

describe('RFC 6749 §4.1.1 response_type', () => {
  it('redirects unsupported_response_type for response_type=token', async () => {
    await expectErrorRedirect({ response_type: 'token' }, 'unsupported_response_type');
  });
  it('redirects unsupported_response_type for response_type=code id_token', async () => {
    await expectErrorRedirect({ response_type: 'code id_token' }, 'unsupported_response_type');
  });
  it('redirects invalid_request when response_type is missing', async () => {
    await expectErrorRedirect({ response_type: null }, 'invalid_request');
  });
  it('redirects invalid_request for response_mode=fragment', async () => {
    await expectErrorRedirect({ response_mode: 'fragment' }, 'invalid_request');
  });
  it('redirects invalid_request when a parameter is repeated (RFC 6749 §3.1)', async () => {
    const response = await new TestBrowser(h).get(`${authorizeUrl()}&scope=tickets:read`);
    expect(callbackParams(response).get('error')).toBe('invalid_request');
  });
});

describe('RFC 7636 PKCE (S256 only)', () => {
  it('rejects a request without code_challenge (invalid_request)', async () => {
    await expectErrorRedirect({ code_challenge: null }, 'invalid_request');
  });
  it('rejects code_challenge_method=plain', async () => {
    await expectErrorRedirect({ code_challenge_method: 'plain' }, 'invalid_request');
  });
  it('rejects a missing code_challenge_method (it would mean plain)', async () => {
    await expectErrorRedirect({ code_challenge_method: null }, 'invalid_request');
  });
  it('rejects an unknown method', async () => {
    await expectErrorRedirect({ code_challenge_method: 'S512' }, 'invalid_request');
  });
  it('rejects a challenge of 42 characters', async () => {
    await expectErrorRedirect({ code_challenge: 'a'.repeat(42) }, 'invalid_request');
  });
  it('rejects a challenge of 44 characters', async () => {
    await expectErrorRedirect({ code_challenge: 'a'.repeat(44) }, 'invalid_request');
  });
  it('rejects a challenge with characters outside base64url', async () => {
    await expectErrorRedirect({ code_challenge: `${'a'.repeat(42)}+` }, 'invalid_request');
  });
});

describe('RFC 8707 resource indicators', () => {
  it('rejects a missing resource (invalid_target)', async () => {
    await expectErrorRedirect({ resource: null }, 'invalid_target');
  });
  it('rejects a resource with a fragment', async () => {
    await expectErrorRedirect({ resource: `${RESOURCE}#frag` }, 'invalid_target');
  });
  it('rejects a relative resource', async () => {
    await expectErrorRedirect({ resource: '/mcp' }, 'invalid_target');
  });
  it('rejects a resource that is not a configured protected resource', async () => {
    await expectErrorRedirect({ resource: 'https://other.example/mcp' }, 'invalid_target');
  });
  it('rejects two resources in one request', async () => {
    const response = await new TestBrowser(h).get(`${authorizeUrl()}&resource=${encodeURIComponent('https://other.example/mcp')}`);
    expect(callbackParams(response).get('error')).toBe('invalid_target');
  });
  it('accepts a differently-cased host with a trailing slash as the same resource (canonical form)', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ resource: 'https://MCP.acme.test:443/mcp' }));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain('/login?interaction=');
  });
});

describe('RFC 6749 §3.3 scope', () => {
  it('rejects a malformed scope (invalid_scope)', async () => {
    await expectErrorRedirect({ scope: 'tickets:read  tickets:write' }, 'invalid_scope');
  });
  it('rejects a scope containing a quote', async () => {
    await expectErrorRedirect({ scope: 'tickets:"read' }, 'invalid_scope');
  });
  it('rejects a scope the resource does not offer', async () => {
    await expectErrorRedirect({ scope: 'tickets:read admin:everything' }, 'invalid_scope');
  });
  it('accepts generic scopes (openid, offline_access) alongside catalogue scopes', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ scope: 'openid tickets:read offline_access' }));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain('/login?interaction=');
  });
});

describe('Client scope ceilings (RFC 7591 §2 scope, MCP step-up)', () => {
  it('refuses a scope outside an operator-configured client scope (invalid_scope)', async () => {
    await addClient(h.store, { id: 'limited-client', name: 'Limited', redirectUris: [REDIRECT], scope: 'tickets:read' });
    await expectErrorRedirect({ client_id: 'limited-client', scope: 'tickets:read tickets:write' }, 'invalid_scope');
  });
  it('lets a dynamically registered client step up beyond the scope it registered with', async () => {
    await addClient(h.store, { id: 'dcr-client', kind: 'dynamic', name: 'Registered Agent', redirectUris: [REDIRECT], scope: 'tickets:read' });
    const { html } = await reachConsent(new TestBrowser(h), h.alice, { client_id: 'dcr-client', scope: 'tickets:read tickets:write' });
    expect(html).toContain('tickets:write');
    expect(html).not.toContain('invalid_scope');
  });
});

describe('RFC 6749 §4.1.2 state and RFC 9207 iss on error responses', () => {
  it('echoes a 1 KB state byte-exact', async () => {
    const state = `${'Zz9-._~'.repeat(140)}+/=&?%é`.slice(0, 1024);
    const query = await expectErrorRedirect({ state, response_type: 'token' }, 'unsupported_response_type');
    expect(query.get('state')).toBe(state);
  });
  it('omits state when the request had none', async () => {
    const query = await expectErrorRedirect({ state: null, response_type: 'token' }, 'unsupported_response_type');
    expect(query.has('state')).toBe(false);
  });
  it('keeps a query already in the registered redirect_uri', async () => {
    const { addClient } = await import('./harness.ts');
    await addClient(h.store, { id: 'query-client', name: 'Q', redirectUris: ['https://client.example/cb?tenant=7'] });
    const response = await new TestBrowser(h).get(authorizeUrl({ client_id: 'query-client', redirect_uri: 'https://client.example/cb?tenant=7', response_type: 'token' }));
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('tenant')).toBe('7');
    expect(location.searchParams.get('iss')).toBe(h.issuer);
  });
});

describe('Clickjacking and referrer leakage (RFC 9700 §4.16, §4.2.4)', () => {
  it('sends frame-ancestors none, X-Frame-Options DENY and Referrer-Policy no-referrer on authorize error pages', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ client_id: 'nobody' }));
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    // same-origin (shared middleware): nothing goes to another origin, and our own form POSTs keep a real Origin.
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
  it('loads no third-party resources on the login page', async () => {
    const browser = new TestBrowser(h);
    const response = await browser.get('/login');
    const html = await response.text();
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});

describe('OIDC Core §3.1.2.1 POST /authorize (form-encoded)', () => {
  it('applies the same validation and answers errors with 303 (RFC 9700 §4.12)', async () => {
    const query = new URL(authorizeUrl({ code_challenge_method: 'plain' }), 'http://x').searchParams;
    const response = await new TestBrowser(h).request('/authorize', { method: 'POST', body: query.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(303);
    expect(callbackParams(response).get('error')).toBe('invalid_request');
  });

  it('starts the login for a valid POSTed request', async () => {
    const query = new URL(authorizeUrl(), 'http://x').searchParams;
    const response = await new TestBrowser(h).request('/authorize', { method: 'POST', body: query.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.headers.get('location')).toContain('/login?interaction=');
  });
});
