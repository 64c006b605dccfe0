/**
 * The whole authorization code flow in process: /authorize → /login →
 * /interaction (org, consent) → redirect with code, state and iss; the code
 * record the token endpoint redeems; prompt=none; browser binding; the
 * open-redirector rule for clients anyone can register.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { addClient, authorizeUrl, callbackParams, CHALLENGE, createHarness, csrfOf, reachConsent, REDIRECT, RESOURCE, signIn, startAndLogin, TestBrowser, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

describe('RFC 6749 §4.1.2 authorization response', () => {
  it('redirects to the redirect_uri with code, state and iss (RFC 9207) after login and consent', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice);
    expect(html).toContain('Acme Assistant');
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: ['tickets:write'] });
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')?.startsWith(`${REDIRECT}?`)).toBe(true);
    const query = callbackParams(approved);
    expect(query.get('state')).toBe('state-123');
    expect(query.get('iss')).toBe(h.issuer);
    expect(query.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores only the SHA-256 of the code, bound to client, redirect_uri, challenge, canonical resource and scopes, for codeTtl seconds', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { resource: 'https://MCP.ACME.test/mcp', scope: 'tickets:read offline_access' });
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    const code = callbackParams(approved).get('code') ?? '';
    const consumed = await h.store.codes.consume(sha256(code), h.clock.now());
    expect(consumed.status).toBe('consumed');
    if (consumed.status !== 'consumed') return;
    expect(consumed.code).toMatchObject({
      clientId: 'web-client',
      userId: h.alice.id,
      orgId: h.acme,
      redirectUri: REDIRECT,
      codeChallenge: CHALLENGE,
      resource: RESOURCE,
      scopes: ['tickets:read', 'offline_access'],
      expiresAt: h.clock.now() + 60_000,
    });
    const grant = await h.store.grants.get(consumed.code.grantId);
    expect(grant?.scopes).toEqual(['tickets:read']);
  });

  it('lets a 1 KB state survive the whole login and consent round trip byte-exact', async () => {
    const state = 'x'.repeat(1000) + '+/=&%20é~';
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { state });
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    expect(callbackParams(approved).get('state')).toBe(state);
  });

  it('redirects access_denied with state and iss when the user denies', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice);
    const denied = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'deny' });
    const query = callbackParams(denied);
    expect(query.get('error')).toBe('access_denied');
    expect(query.get('state')).toBe('state-123');
    expect(query.get('iss')).toBe(h.issuer);
    expect(query.has('code')).toBe(false);
  });

  it('skips the consent screen when a remembered grant covers the request', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice);
    await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: ['tickets:write'] });
    const again = await browser.get(authorizeUrl({ state: 'second' }));
    expect(again.status).toBe(302);
    const query = callbackParams(again);
    expect(query.get('code')).toBeTruthy();
    expect(query.get('state')).toBe('second');
    expect(query.get('iss')).toBe(h.issuer);
  });

  it('cannot be completed from another browser that learned the interaction id', async () => {
    const victim = new TestBrowser(h);
    const { interactionId } = await reachConsent(victim, h.alice);
    const attacker = new TestBrowser(h);
    await signIn(attacker, h.bob);
    const page = await attacker.get(`/interaction/${interactionId}`);
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
  });
});

describe('OIDC Core §3.1.2.1 prompt=none', () => {
  it('redirects login_required with state and iss when nobody is signed in', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ prompt: 'none' }));
    const query = callbackParams(response);
    expect(query.get('error')).toBe('login_required');
    expect(query.get('state')).toBe('state-123');
    expect(query.get('iss')).toBe(h.issuer);
  });

  it('redirects consent_required when signed in but never consented', async () => {
    const browser = new TestBrowser(h);
    await signIn(browser, h.alice);
    const query = callbackParams(await browser.get(authorizeUrl({ prompt: 'none' })));
    expect(query.get('error')).toBe('consent_required');
  });

  it('issues a code silently when consent is remembered', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice);
    await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: 'tickets:write' });
    const query = callbackParams(await browser.get(authorizeUrl({ prompt: 'none' })));
    expect(query.get('code')).toBeTruthy();
  });

  it('redirects consent_required when a scope the user unticked is asked for again', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice);
    await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    const query = callbackParams(await browser.get(authorizeUrl({ prompt: 'none' })));
    expect(query.get('error')).toBe('consent_required');
  });

  it('still shows an error page, not a redirect, for an unregistered redirect_uri', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ prompt: 'none', redirect_uri: 'https://evil.example/cb' }));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('asks for the login again with prompt=login even with a live session', async () => {
    const browser = new TestBrowser(h);
    await signIn(browser, h.alice);
    const response = await browser.get(authorizeUrl({ prompt: 'login' }));
    expect(response.headers.get('location')).toContain('/login?interaction=');
  });
});

describe('RFC 9700 §4.11.2 open redirector: clients anyone can register', () => {
  beforeEach(async () => {
    await addClient(h.store, { id: 'dyn_attacker', kind: 'dynamic', name: 'Totally Legit', redirectUris: ['https://attacker.example/cb'] });
  });

  it('does not redirect a bad scope to an untrusted redirect_uri before the user signs in', async () => {
    const browser = new TestBrowser(h);
    const response = await browser.get(authorizeUrl({ client_id: 'dyn_attacker', redirect_uri: 'https://attacker.example/cb', scope: 'not:a:scope' }));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain(`${h.issuer}/login?interaction=`);
    expect(response.headers.get('location')).not.toContain('attacker.example');
  });

  it('redirects the held error once the user has signed in', async () => {
    const browser = new TestBrowser(h);
    const { response } = await startAndLogin(browser, h.alice, { client_id: 'dyn_attacker', redirect_uri: 'https://attacker.example/cb', scope: 'not:a:scope' });
    const next = await browser.get(new URL(response.headers.get('location') ?? '').pathname);
    const location = new URL(next.headers.get('location') ?? '');
    expect(location.origin).toBe('https://attacker.example');
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('iss')).toBe(h.issuer);
  });

  it('sends an untrusted client with prompt=none to the login page rather than redirecting login_required', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ client_id: 'dyn_attacker', redirect_uri: 'https://attacker.example/cb', prompt: 'none' }));
    expect(response.headers.get('location')).toContain(`${h.issuer}/login?interaction=`);
  });

  it('redirects a pre-registered client’s errors at once (its redirect URIs were vetted)', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ scope: 'not:a:scope' }));
    expect(callbackParams(response).get('error')).toBe('invalid_scope');
  });
});

describe('A pending authorization is used once, by a signed-in user', () => {
  it('answers a second approval of the same interaction with an error page and no second code', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice);
    const first = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    expect(callbackParams(first).get('code')).toBeTruthy();
    const second = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    expect(second.status).toBe(400);
    expect(second.headers.get('location')).toBeNull();
  });

  it('sends a deny from a browser whose session ended to the login page, not to the client (RFC 9700 §4.11.2)', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice);
    browser.cookies.delete('gatehouse_session');
    const denied = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'deny' });
    expect(denied.status).toBe(303);
    expect(denied.headers.get('location')).toBe(`${h.issuer}/login?interaction=${interactionId}`);
  });
});
