/**
 * CSRF on every form (RFC 9700 §4.7, MCP [BP] consent pages): a POST
 * without the anti-CSRF token, with another form's token, without the
 * browser cookie, or from a foreign Origin gets 403 and changes nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, csrfOf, reachConsent, signIn, TestBrowser, authorizeUrl, type Harness } from '../authorize/harness.ts';

let h: Harness;
let browser: TestBrowser;
let interactionId: string;
let token: string;

beforeEach(async () => {
  h = await createHarness();
  browser = new TestBrowser(h);
  const reached = await reachConsent(browser, h.alice, { scope: 'tickets:read' });
  interactionId = reached.interactionId;
  token = csrfOf(reached.html);
});

async function expectRefused(response: Response): Promise<void> {
  expect(response.status).toBe(403);
  expect(response.headers.get('location')).toBeNull();
  expect(await h.store.grants.listForUser(h.alice.id)).toEqual([]);
  expect(h.events.some((e) => e.type === 'consent.granted')).toBe(false);
}

describe('CSRF protection of the consent form', () => {
  it('refuses an approval without the anti-CSRF token', async () => {
    await expectRefused(await browser.post(`/interaction/${interactionId}`, { action: 'approve' }));
  });

  it('refuses an approval with a wrong token', async () => {
    await expectRefused(await browser.post(`/interaction/${interactionId}`, { csrf: 'A'.repeat(43), action: 'approve' }));
  });

  it('refuses an approval from a foreign Origin even with the right token', async () => {
    await expectRefused(await browser.post(`/interaction/${interactionId}`, { csrf: token, action: 'approve' }, { origin: 'https://evil.example' }));
  });

  it('refuses an approval with Origin: null (sandboxed frame, data: URL)', async () => {
    await expectRefused(await browser.post(`/interaction/${interactionId}`, { csrf: token, action: 'approve' }, { origin: 'null' }));
  });

  it('refuses Origin: null claimed same-site rather than same-origin', async () => {
    await expectRefused(await browser.post(`/interaction/${interactionId}`, { csrf: token, action: 'approve' }, { origin: 'null', 'sec-fetch-site': 'same-site' }));
  });

  it('accepts Origin: null with Sec-Fetch-Site: same-origin (our own page under Referrer-Policy: no-referrer)', async () => {
    const response = await browser.post(`/interaction/${interactionId}`, { csrf: token, action: 'approve' }, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^https:\/\/client\.example\/cb\?code=/);
  });

  it('refuses a cross-site form submission (Sec-Fetch-Site)', async () => {
    await expectRefused(await browser.post(`/interaction/${interactionId}`, { csrf: token, action: 'approve' }, { 'sec-fetch-site': 'cross-site' }));
  });

  it('refuses a token taken from another interaction of the same browser', async () => {
    const other = await browser.get(authorizeUrl({ scope: 'tickets:write' }));
    const otherId = /ia_[A-Za-z0-9_-]+/.exec(other.headers.get('location') ?? '')?.[0] ?? '';
    const otherPage = await (await browser.get(`/interaction/${otherId}`)).text();
    await expectRefused(await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(otherPage), action: 'approve' }));
  });

  it('refuses a replayed form without the browser cookie', async () => {
    const attacker = new TestBrowser(h);
    for (const [name, value] of browser.cookies) if (name.includes('session')) attacker.cookies.set(name, value);
    await expectRefused(await attacker.post(`/interaction/${interactionId}`, { csrf: token, action: 'approve' }));
  });

  it('accepts the same approval with the token, cookie and own Origin', async () => {
    const response = await browser.post(`/interaction/${interactionId}`, { csrf: token, action: 'approve' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^https:\/\/client\.example\/cb\?code=/);
  });

  it('refuses a deny without the token (no access_denied redirect either)', async () => {
    const response = await browser.post(`/interaction/${interactionId}`, { action: 'deny' });
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('CSRF protection of login and logout', () => {
  it('refuses a login POST without the token (login CSRF)', async () => {
    const fresh = new TestBrowser(h);
    await fresh.get('/login');
    const response = await fresh.post('/login', { email: h.alice.email, password: h.alice.password });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie().some((c) => c.includes('session'))).toBe(false);
  });

  it('refuses a login POST from a foreign Origin', async () => {
    const fresh = new TestBrowser(h);
    const page = await fresh.get('/login');
    const response = await fresh.post('/login', { csrf: csrfOf(await page.text()), email: h.alice.email, password: h.alice.password }, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
  });

  it('refuses a logout POST without the token and keeps the session', async () => {
    const response = await browser.post('/logout', {});
    expect(response.status).toBe(403);
    const still = await browser.get(authorizeUrl({ scope: 'tickets:read', prompt: 'none' }));
    expect(still.headers.get('location')).not.toContain('error=login_required');
  });

  it('signs out with the token from the consent page', async () => {
    await signIn(browser, h.alice);
    const page = await (await browser.get(`/interaction/${interactionId}`)).text();
    const logoutToken = /action="[^"]*\/logout">\s*<input type="hidden" name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const response = await browser.post('/logout', { csrf: logoutToken });
    expect(response.status).toBe(200);
    expect(h.events.some((e) => e.type === 'logout')).toBe(true);
  });
});
