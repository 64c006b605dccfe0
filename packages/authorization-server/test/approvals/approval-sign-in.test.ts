/**
 * A person who opens an approval link without a session signs in and lands
 * on that approval again (issue 15: the approver reviews the call in the
 * browser). Only an approval id is remembered, so signing in can lead
 * nowhere but /approvals/<id> on this server.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, csrfOf, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

async function pendingApproval(id: string): Promise<void> {
  const now = h.clock.now();
  await h.store.approvals.create({
    id,
    grantId: null,
    subject: h.alice.id,
    userId: h.alice.id,
    orgId: h.acme,
    clientId: 'public-app',
    resource: 'https://mcp.acme.test/mcp',
    tool: 'export_revenue',
    arguments: { quarter: 'Q3' },
    argumentsSha256: 'ab'.repeat(32),
    approverRoles: [],
    selfApproval: true,
    status: 'pending',
    decidedBy: null,
    createdAt: now,
    expiresAt: now + 300_000,
    decidedAt: null,
    consumedAt: null,
  });
}

async function signIn(browser: TestBrowser, email: string, password: string): Promise<Response> {
  const page = await browser.get('/login');
  return browser.post('/login', { csrf: csrfOf(await page.text()), email, password });
}

describe('signing in from an approval link', () => {
  it('brings the person back to the approval they opened, then forgets it', async () => {
    const id = 'approval-0123456789abcdef';
    await pendingApproval(id);
    const browser = new TestBrowser(h);
    const asked = await browser.get(`/approvals/${id}`);
    expect(asked.status).toBe(401);
    expect(await asked.text()).toContain('you will come back to this request');

    const signedIn = await signIn(browser, h.alice.email, h.alice.password);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(`${h.issuer}/approvals/${id}`);
    const review = await browser.get(`/approvals/${id}`);
    expect(review.status).toBe(200);
    expect(await review.text()).toContain('export_revenue');

    // Remembered once: the next sign-in in this browser ends on the plain page.
    const again = await signIn(browser, h.alice.email, h.alice.password);
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBeNull();
  });

  it('a wrong password keeps the person on the login page; the right one still comes back', async () => {
    const id = 'approval-fedcba9876543210';
    await pendingApproval(id);
    const browser = new TestBrowser(h);
    await browser.get(`/approvals/${id}`);
    expect((await signIn(browser, h.alice.email, 'not-the-password')).status).toBe(400);
    const signedIn = await signIn(browser, h.alice.email, h.alice.password);
    expect(signedIn.headers.get('location')).toBe(`${h.issuer}/approvals/${id}`);
  });

  it('a planted cookie can lead only to an approval page of this server, never elsewhere', async () => {
    const browser = new TestBrowser(h);
    browser.cookies.set('gatehouse_approval', 'https://evil.example/phish');
    const signedIn = await signIn(browser, h.alice.email, h.alice.password);
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('location')).toBeNull();
  });

  it('an unknown approval sets nothing to come back to (404)', async () => {
    const browser = new TestBrowser(h);
    const response = await browser.get('/approvals/approval-does-not-exist-000');
    expect(response.status).toBe(404);
    expect(browser.cookies.has('gatehouse_approval')).toBe(false);
  });
});
