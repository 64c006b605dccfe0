/**
 * Issue 16, item 2 at /authorize: once the org is chosen, a client the org
 * blocked, left off its allowlist, or has not yet approved gets a local page
 * that says so, never a redirect to the client (with or without a code);
 * under `approval` the client is recorded as pending for the org's admins.
 * Another org of the same user is untouched.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, reachConsent, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.store.close());

describe('Client control per org at /authorize (issue 16)', () => {
  it('a client the org blocked gets a clear page (403, no redirect, no code) naming the org and the client', async () => {
    await h.store.clientPolicies.block(h.acme, { kind: 'client', value: 'web-client' }, h.clock.now());
    const { response, html } = await reachConsent(new TestBrowser(h), h.alice);
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
    expect(html).toContain('Acme Corp has blocked Acme Assistant');
    expect(html).not.toContain('code=');
    expect(h.events.find((e) => e.type === 'access.refused')).toMatchObject({ reason: 'client_blocked', step: 'authorize', orgId: h.acme, clientId: 'web-client' });
  });

  it('the same client for the same user in another org reaches consent', async () => {
    await h.store.clientPolicies.block(h.acme, { kind: 'client', value: 'web-client' }, h.clock.now());
    const { response, html } = await reachConsent(new TestBrowser(h), h.bob, {}, h.globex);
    expect(response.status).toBe(200);
    expect(html).toContain('name="csrf"');
    expect(html).not.toContain('has blocked');
  });

  it('under an allowlist that leaves the client out, the page says the org does not allow it', async () => {
    await h.store.clientPolicies.setMode(h.acme, 'allowlist', h.clock.now());
    const { response, html } = await reachConsent(new TestBrowser(h), h.alice);
    expect(response.status).toBe(403);
    expect(html).toContain('Acme Corp does not allow Acme Assistant');
  });

  it('under approval the client is recorded as pending and the page says it awaits approval; once approved it reaches consent', async () => {
    await h.store.clientPolicies.setMode(h.acme, 'approval', h.clock.now());
    const first = await reachConsent(new TestBrowser(h), h.alice);
    expect(first.response.status).toBe(403);
    expect(first.html).toContain('Acme Assistant awaits approval by an administrator of Acme Corp');
    expect((await h.store.clientPolicies.get(h.acme)).rules).toMatchObject([{ kind: 'client', value: 'web-client', decision: 'pending' }]);
    await h.store.clientPolicies.allow(h.acme, { kind: 'client', value: 'web-client' }, h.clock.now());
    const second = await reachConsent(new TestBrowser(h), h.alice);
    expect(second.response.status).toBe(200);
    expect(second.html).toContain('name="csrf"');
  });
});
