/**
 * Security catalogue, OAuth 2.1 / RFC 9700: "Clickjacking and referrer
 * leakage" and "Open redirector: the AS has no ?next= forwarders". Every
 * page a person sees (authorize error, login, signup, organization pick,
 * consent, signed-out message, CSRF refusal) is checked for the headers a
 * browser obeys, and for markup that loads or links nothing outside the
 * issuer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { authorizeUrl, createHarness, csrfOf, interactionIdOf, pathOf, reachConsent, signIn, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: [] });
});

/** Every URL the markup refers to (src, href, action, url(), srcset), which must all be on the issuer. */
function referencedUrls(html: string): string[] {
  const attributes = [...html.matchAll(/\b(?:src|href|action|srcset|poster|data|formaction)\s*=\s*"([^"]*)"/gi)].map((m) => m[1] ?? '');
  const cssUrls = [...html.matchAll(/url\(\s*['"]?([^'")]+)/gi)].map((m) => m[1] ?? '');
  return [...attributes, ...cssUrls];
}

async function expectProtectedPage(response: Response, label: string): Promise<void> {
  expect(response.headers.get('content-type'), label).toMatch(/^text\/html/);
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp, label).toContain("frame-ancestors 'none'");
  expect(csp, label).toMatch(/default-src 'none'/);
  expect(response.headers.get('x-frame-options'), label).toBe('DENY');
  expect(response.headers.get('referrer-policy'), label).toBe('no-referrer');
  const html = await response.text();
  expect(html, label).not.toMatch(/<script|<iframe|<link|<img|<object|<embed|@import/i);
  for (const url of referencedUrls(html)) {
    const resolved = new URL(url, h.issuer);
    expect(resolved.origin, `${label}: ${url}`).toBe(new URL(h.issuer).origin);
  }
}

describe('RFC 9700 §4.16, §4.2.4 clickjacking and referrer leakage', () => {
  it('sends frame-ancestors none, X-Frame-Options and Referrer-Policy: no-referrer on authorize, login, signup, org, consent and error pages, which load no third-party resources', async () => {
    const browser = new TestBrowser(h);
    await expectProtectedPage(await browser.get(authorizeUrl({ client_id: 'nobody' })), 'authorize error page');
    await expectProtectedPage(await browser.get(authorizeUrl({ redirect_uri: 'https://evil.example/cb' })), 'redirect_uri error page');
    const started = await browser.get(authorizeUrl());
    const interactionId = interactionIdOf(started.headers.get('location'));
    const loginPage = await browser.get(pathOf(started.headers.get('location')));
    const loginHtml = await loginPage.clone().text();
    await expectProtectedPage(loginPage, 'login page');
    await expectProtectedPage(await browser.get(`/signup?interaction=${interactionId}`), 'signup page');
    const wrongPassword = await browser.post('/login', { csrf: csrfOf(loginHtml), interaction: interactionId, email: h.bob.email, password: 'wrong-password-1' });
    await expectProtectedPage(wrongPassword, 'failed login page');
    const signedIn = await browser.post('/login', { csrf: csrfOf(loginHtml), interaction: interactionId, email: h.bob.email, password: h.bob.password });
    expect(signedIn.status).toBe(303);
    // Bob belongs to two organizations: he is asked to pick one before consent.
    const orgPage = await browser.get(`/interaction/${interactionId}`);
    const orgHtml = await orgPage.clone().text();
    expect(orgHtml).toContain('type="radio"');
    await expectProtectedPage(orgPage, 'organization page');
    await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(orgHtml), action: 'pick_org', org: h.acme });
    const consentPage = await browser.get(`/interaction/${interactionId}`);
    const consentHtml = await consentPage.clone().text();
    expect(consentHtml).toContain('name="action"');
    await expectProtectedPage(consentPage, 'consent page');
    await expectProtectedPage(await browser.post(`/interaction/${interactionId}`, { action: 'approve' }), 'CSRF refusal page');
    await expectProtectedPage(await browser.post('/logout', { csrf: csrfOf(consentHtml.slice(consentHtml.indexOf('/logout'))) }), 'signed-out page');
  });

  it('sends Cache-Control: no-store on token (error) and registration responses', async () => {
    const tokenResponse = await h.app.request(`${h.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x&client_id=web-client',
    });
    expect(tokenResponse.status).toBe(400);
    expect(tokenResponse.headers.get('cache-control')).toBe('no-store');
    const registration = await h.app.request(`${h.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'x', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' }),
    });
    expect(registration.status).toBe(201);
    expect(registration.headers.get('cache-control')).toBe('no-store');
  });
});

describe('RFC 9700 §4.11 open redirector: the AS has no ?next= forwarders', () => {
  const forwarders = ['next', 'return_to', 'returnTo', 'redirect', 'redirect_to', 'redirect_uri', 'continue', 'url', 'goto', 'target', 'dest'];
  const query = forwarders.map((name) => `${name}=${encodeURIComponent('https://evil.example/landing')}`).join('&');

  const neverLeaves = (response: Response, label: string) => {
    const location = response.headers.get('location');
    if (location !== null) expect(new URL(location, h.issuer).origin, label).toBe(new URL(h.issuer).origin);
  };

  it('never sends a signed-in browser to an external URL named in the login page, login POST, signup or logout', async () => {
    const browser = new TestBrowser(h);
    const page = await browser.get(`/login?${query}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain('evil.example');
    const fields = Object.fromEntries(forwarders.map((name) => [name, 'https://evil.example/landing']));
    const login = await browser.request(`/login?${query}`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: csrfOf(html), email: h.alice.email, password: h.alice.password, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(h.issuer).origin },
    });
    expect([200, 303]).toContain(login.status);
    neverLeaves(login, 'login POST');
    expect(await login.text()).not.toContain('evil.example');
    const signupPage = await browser.get(`/signup?${query}`);
    neverLeaves(signupPage, 'signup page');
    expect(await signupPage.text()).not.toContain('evil.example');
    const logout = await browser.request(`/logout?${query}`, {
      method: 'POST',
      body: new URLSearchParams({ ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(h.issuer).origin },
    });
    neverLeaves(logout, 'logout POST');
  });

  it('never sends a signed-in browser to an external URL from the interaction or account pages', async () => {
    const browser = new TestBrowser(h);
    await signIn(browser, h.alice);
    const { interactionId } = await reachConsent(browser, h.alice);
    const responses = [
      await browser.get(`/interaction/${interactionId}?${query}`),
      await browser.get(`/interaction/no-such-id?${query}`),
      await browser.get(`/account?${query}`),
      await browser.get(`/logout?${query}`),
    ];
    for (const [i, response] of responses.entries()) {
      neverLeaves(response, `response ${i}`);
      expect(await response.text(), `response ${i}`).not.toContain('evil.example');
    }
  });
});
