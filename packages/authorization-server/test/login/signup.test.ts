/**
 * Self-service sign-up under store.settings' signup policy: closed by
 * default (404), open to listed email domains only (403 otherwise),
 * argon2id-hashed passwords, no account probing, continues the pending
 * authorization.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { authorizeUrl, createHarness, csrfOf, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

async function signup(browser: TestBrowser, fields: Record<string, string>, interaction?: string): Promise<Response> {
  const page = await browser.get(`/signup${interaction ? `?interaction=${interaction}` : ''}`);
  const html = await page.text();
  return browser.post('/signup', { csrf: csrfOf(html), name: 'Dana', password: 'long-enough-password', ...(interaction ? { interaction } : {}), ...fields });
}

describe('Signup policy', () => {
  it('has no signup pages while public signup is off (the default)', async () => {
    const browser = new TestBrowser(h);
    expect((await browser.get('/signup')).status).toBe(404);
    expect((await browser.post('/signup', { email: 'dana@acme.test', name: 'Dana', password: 'long-enough-password' })).status).toBe(404);
    expect(await h.store.users.getByEmail('dana@acme.test')).toBeUndefined();
  });

  it('creates an account with an argon2id hash and signs the person in when signup is open', async () => {
    await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: [] });
    const response = await signup(new TestBrowser(h), { email: 'Dana@Example.org' });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().some((c) => c.startsWith('gatehouse_session='))).toBe(true);
    const user = await h.store.users.getByEmail('dana@example.org');
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(h.events.some((e) => e.type === 'user.created' && e.userId === user?.id)).toBe(true);
  });

  it('refuses addresses outside the allowed domains with 403', async () => {
    await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: ['acme.test'] });
    const refused = await signup(new TestBrowser(h), { email: 'eve@acme.test.evil.com' });
    expect(refused.status).toBe(403);
    expect(await h.store.users.getByEmail('eve@acme.test.evil.com')).toBeUndefined();
    const allowed = await signup(new TestBrowser(h), { email: 'dana@acme.test' });
    expect(allowed.status).toBe(200);
  });

  it('refuses a short password', async () => {
    await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: [] });
    const response = await signup(new TestBrowser(h), { email: 'dana@example.org', password: 'short' });
    expect(response.status).toBe(400);
    expect(await h.store.users.getByEmail('dana@example.org')).toBeUndefined();
  });

  it('does not reveal that an email is taken, and does not touch the existing account', async () => {
    await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: [] });
    const before = await h.store.users.getByEmail(h.alice.email);
    const response = await signup(new TestBrowser(h), { email: h.alice.email });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).not.toMatch(/already (exists|registered|taken)/i);
    expect((await h.store.users.getByEmail(h.alice.email))?.passwordHash).toBe(before?.passwordHash);
  });

  it('refuses a signup POST without the anti-CSRF token', async () => {
    await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: [] });
    const browser = new TestBrowser(h);
    await browser.get('/signup');
    const response = await browser.post('/signup', { email: 'dana@example.org', name: 'Dana', password: 'long-enough-password' });
    expect(response.status).toBe(403);
  });

  it('continues the pending authorization after signup', async () => {
    await h.store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: [] });
    const browser = new TestBrowser(h);
    const started = await browser.get(authorizeUrl({ scope: 'profile:read' }));
    const id = /ia_[A-Za-z0-9_-]+/.exec(started.headers.get('location') ?? '')?.[0] ?? '';
    const response = await signup(browser, { email: 'dana@example.org' }, id);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${h.issuer}/interaction/${id}`);
  });
});
