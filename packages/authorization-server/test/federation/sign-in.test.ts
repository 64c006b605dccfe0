/**
 * Issue 13: signing a person in from a FederatedIdentity (what OIDC and SAML
 * both produce): account linking, just-in-time accounts and memberships,
 * roles from directory groups on every sign-in, and the pending
 * authorization continued as after a password login.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { LocalEventBus } from '@gatehouse-auth/core';
import type { FederatedIdentity } from '@gatehouse-auth/sso';
import { completeFederatedSignIn } from '../../src/federation/sign-in.ts';
import { resolveOptions, type AppEnv, type ServerContext } from '../../src/index.ts';
import { authorizeUrl, createHarness, interactionIdOf, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
let identity: FederatedIdentity;

/** The harness app plus a route that signs in whoever `identity` says (what an IdP callback does after its checks). */
function withFederatedRoute(base: Harness): Harness {
  const ctx: ServerContext = { store: base.store, events: new LocalEventBus(() => base.clock.now()), clock: base.clock, options: resolveOptions({ issuer: base.issuer }), log: () => {} };
  ctx.events.subscribe((event) => {
    base.events.push(event);
  });
  const app = new Hono<AppEnv>();
  app.get('/test/federated', (c) => completeFederatedSignIn(c, ctx, identity, c.req.query('interaction')));
  app.route('/', base.app);
  return { ...base, app: app as unknown as Harness['app'] };
}

beforeEach(async () => {
  h = withFederatedRoute(await createHarness());
  await h.store.roles.upsert({ name: 'Employee', description: '', permissions: [] });
  await h.store.federation.putSettings({ orgId: h.acme, groupRoles: { eng: ['Engineering'], leads: ['Management'] }, defaultRoles: ['Employee'], enforceSso: false, updatedAt: 0 });
  await h.store.federation.putDomain({ orgId: h.acme, name: 'acme.test', challenge: 'c', verifiedBy: 'config', verifiedAt: 1, createdAt: 1 });
  identity = { protocol: 'oidc', org: 'acme', provider: 'okta', subject: 'okta-dave', email: 'dave@acme.test', emailVerified: true, name: 'Dave', groups: ['eng'] };
});

const sessionOf = (browser: TestBrowser): string | undefined => [...browser.cookies].find(([name]) => name.includes('session'))?.[1];

describe('completeFederatedSignIn', () => {
  it('JIT: creates the account, the membership with the mapped role, and a session on first sign-in', async () => {
    const browser = new TestBrowser(h);
    const response = await browser.get('/test/federated');
    expect(response.status).toBe(200);
    expect(sessionOf(browser)).toBeDefined();
    const dave = await h.store.users.getByEmail('dave@acme.test');
    expect(dave).toMatchObject({ name: 'Dave', passwordHash: null, status: 'active' });
    expect((await h.store.orgs.getMembership(dave!.id, h.acme))?.roles).toEqual(['Engineering']);
    expect(h.events.map((e) => e.type)).toEqual(['user.created', 'membership.added', 'login.succeeded']);
  });

  it('a member none of whose groups is mapped gets the default role', async () => {
    identity = { ...identity, groups: ['marketing'] };
    await new TestBrowser(h).get('/test/federated');
    const dave = await h.store.users.getByEmail('dave@acme.test');
    expect((await h.store.orgs.getMembership(dave!.id, h.acme))?.roles).toEqual(['Employee']);
  });

  it('updates roles from groups on every sign-in, and losing a role revokes the member’s tokens in the org', async () => {
    identity = { ...identity, groups: ['eng', 'leads'] };
    await new TestBrowser(h).get('/test/federated');
    identity = { ...identity, groups: ['eng'], email: 'renamed@acme.test' };
    await new TestBrowser(h).get('/test/federated');
    const dave = await h.store.users.getByEmail('dave@acme.test');
    expect((await h.store.orgs.getMembership(dave!.id, h.acme))?.roles).toEqual(['Engineering']);
    expect(h.events.filter((e) => e.type === 'token.revoked')).toHaveLength(1);
    expect(h.events.find((e) => e.type === 'membership.changed')).toMatchObject({ roles: ['Engineering'], actor: { kind: 'system', id: `idp:${h.acme}/okta` } });
  });

  it('never takes over an existing account by an unverified email claim', async () => {
    identity = { ...identity, subject: 'attacker', email: h.alice.email, emailVerified: false, groups: ['leads'] };
    const browser = new TestBrowser(h);
    const response = await browser.get('/test/federated');
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('did not vouch for the email');
    expect(sessionOf(browser)).toBeUndefined();
    expect(await h.store.federation.findIdentity(h.acme, 'okta', 'attacker')).toBeUndefined();
    expect((await h.store.orgs.getMembership(h.alice.id, h.acme))?.roles).toEqual(['Engineering']);
  });

  it('never links by a verified email whose domain is not a verified domain of the org', async () => {
    identity = { ...identity, org: 'globex', subject: 'globex-alice', email: h.alice.email, emailVerified: true };
    const response = await new TestBrowser(h).get('/test/federated');
    expect(response.status).toBe(403);
    expect(await h.store.orgs.getMembership(h.alice.id, h.globex)).toBeUndefined();
  });

  it('links an existing account by a verified email of a verified domain, then by subject even after the email changes', async () => {
    identity = { ...identity, subject: 'okta-alice', email: h.alice.email };
    const browser = new TestBrowser(h);
    expect((await browser.get('/test/federated')).status).toBe(200);
    expect((await h.store.federation.findIdentity(h.acme, 'okta', 'okta-alice'))?.userId).toBe(h.alice.id);
    identity = { ...identity, email: 'alice.new@elsewhere.test', emailVerified: false };
    expect((await new TestBrowser(h).get('/test/federated')).status).toBe(200);
    expect(h.events.filter((e) => e.type === 'login.succeeded').map((e) => 'userId' in e && e.userId)).toEqual([h.alice.id, h.alice.id]);
  });

  it("never creates an account in a domain another org has verified (an IdP cannot squat another company's people)", async () => {
    identity = { ...identity, org: 'globex', provider: 'globex-idp', subject: 'squat', email: 'newhire@acme.test', emailVerified: true };
    const response = await new TestBrowser(h).get('/test/federated');
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('belongs to another organization');
    expect(await h.store.users.getByEmail('newhire@acme.test')).toBeUndefined();
  });

  it("never links by email an account another org's IdP already holds", async () => {
    // Created by Acme's IdP with an address in a domain nobody had verified then; Globex verifies it later.
    identity = { ...identity, subject: 'acme-gina', email: 'gina@globex.test', emailVerified: false };
    expect((await new TestBrowser(h).get('/test/federated')).status).toBe(200);
    await h.store.federation.putDomain({ orgId: h.globex, name: 'globex.test', challenge: 'c', verifiedBy: 'config', verifiedAt: 1, createdAt: 1 });
    identity = { ...identity, org: 'globex', provider: 'globex-idp', subject: 'globex-gina', emailVerified: true };
    const response = await new TestBrowser(h).get('/test/federated');
    expect(response.status).toBe(403);
    expect(await h.store.federation.findIdentity(h.globex, 'globex-idp', 'globex-gina')).toBeUndefined();
  });

  it('refuses a disabled account without a session', async () => {
    await new TestBrowser(h).get('/test/federated');
    const dave = await h.store.users.getByEmail('dave@acme.test');
    await h.store.users.setStatus(dave!.id, 'disabled', h.clock.now());
    const browser = new TestBrowser(h);
    expect((await browser.get('/test/federated')).status).toBe(403);
    expect(sessionOf(browser)).toBeUndefined();
  });

  it('continues the pending authorization of this browser, as a password login does', async () => {
    const browser = new TestBrowser(h);
    const started = await browser.get(authorizeUrl());
    const interactionId = interactionIdOf(started.headers.get('location'));
    const response = await browser.get(`/test/federated?interaction=${interactionId}`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${h.issuer}/interaction/${interactionId}`);
    const consent = await browser.get(`/interaction/${interactionId}`);
    expect(await consent.text()).toContain('tickets:read');
  });

  it('does not continue an interaction started in another browser', async () => {
    const started = await new TestBrowser(h).get(authorizeUrl());
    const interactionId = interactionIdOf(started.headers.get('location'));
    const response = await new TestBrowser(h).get(`/test/federated?interaction=${interactionId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
  });
});
