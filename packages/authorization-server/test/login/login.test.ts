/**
 * People: password login (argon2id), session cookies stored as SHA-256,
 * uniform failures, throttling per account and per IP, logout, expiry,
 * and login events without passwords.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { csrfToken } from '../../src/session/csrf.ts';
import { authorizeUrl, createHarness, csrfOf, signIn, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ loginThrottle: { perAccount: 5, perIp: 20, windowSeconds: 60 } });
});

async function attempt(browser: TestBrowser, email: string, password: string): Promise<Response> {
  const page = await browser.get('/login');
  return browser.post('/login', { csrf: csrfOf(await page.text()), email, password });
}

const sessionCookie = (response: Response): string | undefined => response.headers.getSetCookie().find((c) => /gatehouse_session=[^;]+/.test(c));

describe('Password login', () => {
  it('signs in with the right password and sets an HttpOnly, SameSite=Lax, Path=/ session cookie (no Secure on an http loopback issuer)', async () => {
    const response = await attempt(new TestBrowser(h), h.alice.email, h.alice.password);
    expect(response.status).toBe(200);
    const cookie = sessionCookie(response) ?? '';
    expect(cookie).toMatch(/^gatehouse_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('stores only the SHA-256 of the session cookie', async () => {
    const response = await attempt(new TestBrowser(h), h.alice.email, h.alice.password);
    const value = /gatehouse_session=([^;]+)/.exec(sessionCookie(response) ?? '')?.[1] ?? '';
    expect(await h.store.sessions.get(value)).toBeUndefined();
    expect((await h.store.sessions.get(sha256(value)))?.userId).toBe(h.alice.id);
  });

  it('accepts the email in any case and with surrounding spaces', async () => {
    const response = await attempt(new TestBrowser(h), `  ${h.alice.email.toUpperCase()} `, h.alice.password);
    expect(sessionCookie(response)).toBeDefined();
  });

  it('answers a wrong password and an unknown email identically, without a session', async () => {
    const wrong = await attempt(new TestBrowser(h), h.alice.email, 'not-the-password');
    const unknown = await attempt(new TestBrowser(h), 'nobody@acme.test', 'not-the-password');
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(await wrong.text())).toBe(strip(await unknown.text()));
    expect(sessionCookie(wrong)).toBeUndefined();
    expect(sessionCookie(unknown)).toBeUndefined();
  });

  it('refuses a disabled user with the same message', async () => {
    await h.store.users.setStatus(h.alice.id, 'disabled', h.clock.now());
    const response = await attempt(new TestBrowser(h), h.alice.email, h.alice.password);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Wrong email or password.');
  });

  it('publishes login.succeeded and login.failed without the password', async () => {
    await attempt(new TestBrowser(h), h.alice.email, 'not-the-password');
    await attempt(new TestBrowser(h), h.alice.email, h.alice.password);
    expect(h.events.map((e) => e.type)).toEqual(['login.failed', 'login.succeeded']);
    expect(h.events[0]).toMatchObject({ email: h.alice.email, reason: 'wrong_password', ip: '203.0.113.7' });
    expect(h.events[1]).toMatchObject({ email: h.alice.email, userId: h.alice.id });
    const serialized = JSON.stringify(h.events);
    expect(serialized).not.toContain('not-the-password');
    expect(serialized).not.toContain(h.alice.password);
  });

  it('issues a new session id on every login and ends the previous one (session fixation)', async () => {
    const browser = new TestBrowser(h);
    const first = /gatehouse_session=([^;]+)/.exec(sessionCookie(await attempt(browser, h.alice.email, h.alice.password)) ?? '')?.[1] ?? '';
    const second = /gatehouse_session=([^;]+)/.exec(sessionCookie(await attempt(browser, h.alice.email, h.alice.password)) ?? '')?.[1] ?? '';
    expect(second).not.toBe(first);
    expect((await h.store.sessions.get(sha256(first)))?.revokedAt).not.toBeNull();
  });

  it('continues a pending authorization after login, and only to this server', async () => {
    const browser = new TestBrowser(h);
    const started = await browser.get(authorizeUrl());
    const id = /ia_[A-Za-z0-9_-]+/.exec(started.headers.get('location') ?? '')?.[0] ?? '';
    const page = await browser.get(`/login?interaction=${id}`);
    const response = await browser.post('/login', { csrf: csrfOf(await page.text()), interaction: id, email: h.alice.email, password: h.alice.password });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${h.issuer}/interaction/${id}`);
  });

  it('ignores an interaction parameter that is not a pending authorization of this browser (no forwarder)', async () => {
    const browser = new TestBrowser(h);
    const page = await browser.get('/login?interaction=https://evil.example/');
    const response = await browser.post('/login', { csrf: csrfOf(await page.text()), interaction: 'https://evil.example/', email: h.alice.email, password: h.alice.password });
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('Session cookies on an https issuer', () => {
  it('uses the __Host- prefix and Secure', async () => {
    h = await createHarness({ issuer: 'https://auth.acme.test' });
    const response = await attempt(new TestBrowser(h), h.alice.email, h.alice.password);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_session=')) ?? '';
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
  });
});

describe('Login throttling (options.loginThrottle)', () => {
  it('issue 10: lockout is keyed so that an attacker cannot lock out the owner from the owner’s usual network (five wrong passwords a minute, for five minutes)', async () => {
    for (let minute = 0; minute < 5; minute++) {
      for (let i = 0; i < 6; i++) await attempt(new TestBrowser(h, '198.51.100.9'), h.alice.email, `wrong-${i}`);
      expect((await attempt(new TestBrowser(h, '198.51.100.9'), h.alice.email, h.alice.password)).status).toBe(429);
      const owner = await attempt(new TestBrowser(h, '203.0.113.7'), h.alice.email, h.alice.password);
      expect(owner.status).toBe(200);
      expect(sessionCookie(owner)).toBeDefined();
      h.clock.advance(60_000);
    }
  });

  it('answers 429 with Retry-After after perAccount attempts from one network, even with the right password from another address in it', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt(new TestBrowser(h, '198.51.100.9'), h.alice.email, `wrong-${i}`)).status).toBe(400);
    const blocked = await attempt(new TestBrowser(h, '198.51.100.10'), h.alice.email, h.alice.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sessionCookie(blocked)).toBeUndefined();
  });

  it('caps a guessing attack spread over many networks at perAccountAllNetworks per window', async () => {
    h = await createHarness({ loginThrottle: { perAccount: 5, perAccountAllNetworks: 12, perIp: 20, windowSeconds: 60 } });
    for (let net = 0; net < 4; net++) for (let i = 0; i < 3; i++) await attempt(new TestBrowser(h, `192.0.${net}.1`), h.alice.email, 'guess');
    expect((await attempt(new TestBrowser(h, '198.51.100.200'), h.alice.email, h.alice.password)).status).toBe(429);
    h.clock.advance(60_000);
    expect((await attempt(new TestBrowser(h, '198.51.100.200'), h.alice.email, h.alice.password)).status).toBe(200);
  });

  it('counts an IPv6 client by its /64: hopping addresses inside it does not reset the count', async () => {
    for (let i = 0; i < 5; i++) await attempt(new TestBrowser(h, `2001:db8:1:2::${i + 1}`), h.alice.email, 'guess');
    expect((await attempt(new TestBrowser(h, '2001:db8:1:2::99'), h.alice.email, h.alice.password)).status).toBe(429);
    expect((await attempt(new TestBrowser(h, '2001:db8:1:3::1'), h.alice.email, h.alice.password)).status).toBe(200);
  });

  it('issue 10: a password typed into the email field is stored nowhere: not in the login.failed event (the audit record’s details.email), not in a rate-limit key', async () => {
    const keys: string[] = [];
    const hit = h.store.rateLimits.hit.bind(h.store.rateLimits);
    h.store.rateLimits.hit = (key, windowMs, now) => {
      keys.push(key);
      return hit(key, windowMs, now);
    };
    const typo = 'Correct-Horse-9';
    expect((await attempt(new TestBrowser(h), typo, '')).status).toBe(400);
    await attempt(new TestBrowser(h), h.alice.email, 'wrong');
    const failed = h.events.filter((e) => e.type === 'login.failed');
    expect(failed[0]).toMatchObject({ reason: 'not_an_email', ip: '203.0.113.7' });
    expect(failed[0]).not.toHaveProperty('email');
    expect(JSON.stringify(h.events).toLowerCase()).not.toContain(typo.toLowerCase());
    expect(keys.join('\n').toLowerCase()).not.toContain(typo.toLowerCase());
    // Email addresses are keyed by a hash too, never as typed.
    expect(keys.join('\n')).not.toContain(h.alice.email);
    expect(keys.length).toBeGreaterThan(0);
  });

  it('does not reset the count on a further wrong attempt, and lets the account in once the window has passed', async () => {
    for (let i = 0; i < 6; i++) await attempt(new TestBrowser(h), h.alice.email, `wrong-${i}`);
    expect((await attempt(new TestBrowser(h), h.alice.email, 'still-wrong')).status).toBe(429);
    expect((await attempt(new TestBrowser(h), h.alice.email, h.alice.password)).status).toBe(429);
    h.clock.advance(60_000);
    expect((await attempt(new TestBrowser(h), h.alice.email, h.alice.password)).status).toBe(200);
  });

  it('answers 429 after perIp attempts from one address across many accounts, and not for another address', async () => {
    for (let i = 0; i < 20; i++) await attempt(new TestBrowser(h, '192.0.2.1'), `user${i}@acme.test`, 'guess');
    expect((await attempt(new TestBrowser(h, '192.0.2.1'), h.bob.email, h.bob.password)).status).toBe(429);
    expect((await attempt(new TestBrowser(h, '192.0.2.2'), h.bob.email, h.bob.password)).status).toBe(200);
  });

  it('counts per IP by the last X-Forwarded-For entry (the one our server or proxy wrote), not the forgeable ones before it', async () => {
    const viaProxy = (forged: string) => async () => {
      const browser = new TestBrowser(h, '10.0.0.1');
      const page = await browser.get('/login');
      return browser.post('/login', { csrf: csrfOf(await page.text()), email: `x${forged}@acme.test`, password: 'guess' }, { 'x-forwarded-for': `${forged}, 198.51.100.77` });
    };
    for (let i = 0; i < 20; i++) await viaProxy(`203.0.113.${i}`)();
    expect((await viaProxy('203.0.113.250')()).status).toBe(429);
    expect(h.events.at(-1)).toMatchObject({ ip: '198.51.100.77', reason: 'throttled' });
  });

  it('records throttled attempts as login.failed with reason throttled', async () => {
    for (let i = 0; i < 6; i++) await attempt(new TestBrowser(h), h.alice.email, 'x');
    expect(h.events.at(-1)).toMatchObject({ type: 'login.failed', reason: 'throttled' });
  });
});

describe('Sessions end', () => {
  it('logout revokes the session, clears the cookie and publishes logout', async () => {
    const browser = new TestBrowser(h);
    await signIn(browser, h.alice);
    const value = browser.cookies.get('gatehouse_session') ?? '';
    // The token the consent page's "Sign out" form carries for this browser.
    const token = csrfToken(browser.cookies.get('gatehouse_browser') ?? '', 'logout');
    const response = await browser.post('/logout', { csrf: token });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().some((c) => /^gatehouse_session=;/.test(c) && /Max-Age=0/.test(c))).toBe(true);
    expect((await h.store.sessions.get(sha256(value)))?.revokedAt).not.toBeNull();
    expect(h.events.at(-1)).toMatchObject({ type: 'logout', userId: h.alice.id });
    const after = await browser.get(authorizeUrl({ prompt: 'none' }));
    expect(new URL(after.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required');
  });

  it('a session past sessionTtl no longer counts', async () => {
    const browser = new TestBrowser(h);
    await signIn(browser, h.alice);
    h.clock.advance(12 * 3600 * 1000);
    const after = await browser.get(authorizeUrl({ prompt: 'none' }));
    expect(new URL(after.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required');
  });

  it('a disabled user’s session no longer counts', async () => {
    const browser = new TestBrowser(h);
    await signIn(browser, h.alice);
    await h.store.users.setStatus(h.alice.id, 'disabled', h.clock.now());
    const after = await browser.get(authorizeUrl({ prompt: 'none' }));
    expect(new URL(after.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required');
  });
});
