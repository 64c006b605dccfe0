/**
 * Remembered consent and when it is asked again (docs/consent.md): new
 * scopes, a critical scope's consent older than criticalReconsentDays
 * (ManualClock), a role that no longer allows a granted scope, prompt=consent.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { callbackParams, createHarness, csrfOf, reachConsent, TestBrowser, authorizeUrl, type Harness } from '../authorize/harness.ts';

const DAY = 86_400_000;
let h: Harness;
let browser: TestBrowser;

beforeEach(async () => {
  h = await createHarness({ criticalReconsentDays: 90 });
  browser = new TestBrowser(h);
});

async function approveAll(person: Harness['bob'], scope: string, orgId?: string): Promise<void> {
  const { interactionId, html } = await reachConsent(browser, person, { scope }, orgId);
  const ticked = scope.split(' ');
  const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: ticked });
  expect(callbackParams(approved).get('code')).toBeTruthy();
}

/** What a new authorization request with a live session leads to: 'code' or 'consent'. */
async function outcome(scope: string, extra: Record<string, string> = {}, person = h.alice): Promise<'code' | 'consent' | 'org'> {
  const response = await browser.get(authorizeUrl({ scope, ...extra }));
  let location = response.headers.get('location') ?? '';
  if (location.includes('/login?')) {
    // The session outlived its 12 h while the clock moved: sign in again, as a person would.
    const id = /ia_[A-Za-z0-9_-]+/.exec(location)?.[0] ?? '';
    const page = await browser.get(`/login?interaction=${id}`);
    const signedIn = await browser.post('/login', { csrf: csrfOf(await page.text()), interaction: id, email: person.email, password: person.password });
    location = signedIn.headers.get('location') ?? '';
    const next = await browser.get(new URL(location).pathname);
    location = next.headers.get('location') ?? location;
  }
  if (location.startsWith('https://client.example/cb')) return 'code';
  const page = await (await browser.get(new URL(location).pathname)).text();
  if (page.includes('name="org" value="') && page.includes('type="radio"')) return 'org';
  expect(page).toContain('name="action" value="approve"');
  return 'consent';
}

describe('Re-consent rules', () => {
  it('does not ask again while the grant covers the request', async () => {
    await approveAll(h.alice, 'tickets:read tickets:write');
    expect(await outcome('tickets:read tickets:write')).toBe('code');
    expect(await outcome('tickets:read')).toBe('code');
  });

  it('asks again when a new scope is requested, and records consent.changed', async () => {
    await approveAll(h.alice, 'tickets:read');
    expect(await outcome('tickets:read tickets:write')).toBe('consent');
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read tickets:write' });
    expect(html).toContain('now asks for more than you allowed before');
    await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: 'tickets:write' });
    const changed = h.events.find((e) => e.type === 'consent.changed');
    expect(changed).toMatchObject({ scopes: ['tickets:read', 'tickets:write'] });
  });

  it('skips consent for a critical scope at 89 days and asks at 90 days (single-org user)', async () => {
    const mgmt = h.alice;
    await h.store.orgs.upsertMembership({ userId: mgmt.id, orgId: h.acme, roles: ['Management'], createdAt: 0, updatedAt: 0 });
    await approveAll(mgmt, 'tickets:read payroll:runs:approve');
    h.clock.advance(89 * DAY);
    expect(await outcome('tickets:read payroll:runs:approve')).toBe('code');
    h.clock.advance(DAY);
    expect(await outcome('tickets:read payroll:runs:approve')).toBe('consent');
    expect(await outcome('tickets:read')).toBe('code');
  });

  it("does not hold routine scopes to the critical cadence; only the grant's absolute lifetime (365 days by default) ends them", async () => {
    await approveAll(h.alice, 'tickets:read tickets:write');
    h.clock.advance(364 * DAY);
    expect(await outcome('tickets:read tickets:write')).toBe('code');
    h.clock.advance(DAY);
    expect(await outcome('tickets:read tickets:write')).toBe('consent');
  });

  it('asks again when the user’s role no longer allows a granted scope, and the new approval drops it', async () => {
    await h.store.orgs.upsertMembership({ userId: h.alice.id, orgId: h.acme, roles: ['Management'], createdAt: 0, updatedAt: 0 });
    await approveAll(h.alice, 'tickets:read finance:reports:read');
    await h.store.orgs.upsertMembership({ userId: h.alice.id, orgId: h.acme, roles: ['Engineering'], createdAt: 0, updatedAt: 0 });
    expect(await outcome('tickets:read')).toBe('consent');
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read' });
    expect(html).toContain('Your role changed');
    await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    const grant = await h.store.grants.findActive({ userId: h.alice.id, orgId: h.acme, clientId: 'web-client', resource: 'https://mcp.acme.test/mcp' });
    expect(grant?.scopes).toEqual(['tickets:read']);
    expect(await outcome('tickets:read')).toBe('code');
  });

  it('asks again when the client sends prompt=consent', async () => {
    await approveAll(h.alice, 'tickets:read');
    expect(await outcome('tickets:read', { prompt: 'consent' })).toBe('consent');
  });

  it('keeps the older consent time of scopes not shown again', async () => {
    await h.store.orgs.upsertMembership({ userId: h.alice.id, orgId: h.acme, roles: ['Management'], createdAt: 0, updatedAt: 0 });
    await approveAll(h.alice, 'payroll:runs:approve');
    const first = h.clock.now();
    h.clock.advance(10 * DAY);
    await approveAll(h.alice, 'tickets:read');
    const grant = await h.store.grants.findActive({ userId: h.alice.id, orgId: h.acme, clientId: 'web-client', resource: 'https://mcp.acme.test/mcp' });
    expect(grant?.scopeConsentedAt['payroll:runs:approve']).toBe(first);
    expect(grant?.scopeConsentedAt['tickets:read']).toBe(first + 10 * DAY);
  });
});
