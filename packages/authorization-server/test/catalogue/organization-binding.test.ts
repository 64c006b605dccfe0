/**
 * Outside attack, issue 10, finding 1: organizations bound resources. A
 * member of org B gets no consent, no code and no token for a resource that
 * serves only org A, whatever role name B gives them; a grant whose org the
 * resource stopped serving yields nothing more at the token endpoint or
 * introspection; every refusal is recorded in the requester's org.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hash } from '@node-rs/argon2';
import { newId, tokenHash } from '@gatehouse-auth/core';
import { authorizeUrl, createHarness, csrfOf, RESOURCE as AUTHZ_RESOURCE, startAndLogin, TestBrowser, type Harness, type Person } from '../authorize/harness.ts';
import { basic, createFixture, introspect, issueCode, ORG, redeem, RESOURCE, token, type Fixture } from '../token/fixture.ts';

describe('Organizations bound resources at /authorize', () => {
  let h: Harness;
  let gina: Person;
  beforeEach(async () => {
    h = await createHarness();
    const now = h.clock.now();
    // The resource serves Acme only; Gina is Management, but in Globex.
    const resource = (await h.store.resources.get(AUTHZ_RESOURCE))!;
    await h.store.resources.upsert({ ...resource, organizations: [h.acme] });
    gina = { id: newId('usr'), email: 'gina@globex.test', password: 'gina-password-1' };
    await h.store.users.create({
      id: gina.id,
      email: gina.email,
      name: 'Gina',
      passwordHash: await hash(gina.password, { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
      status: 'active',
      createdAt: now,
      updatedAt: now,
    });
    await h.store.orgs.upsertMembership({ userId: gina.id, orgId: h.globex, roles: ['Management'], createdAt: now, updatedAt: now });
  });

  it("a Management member of another org is offered no consent: a 403 page, no redirect, no code; refused in her org's audit", async () => {
    const browser = new TestBrowser(h);
    const { interactionId } = await startAndLogin(browser, gina, { scope: 'tickets:read finance:reports:read' });
    const page = await browser.get(`/interaction/${interactionId}`);
    expect(page.status).toBe(403);
    expect(page.headers.get('location')).toBeNull();
    const html = await page.text();
    expect(html).toContain('Acme internal tools is not available to any organization you belong to');
    expect(html).not.toContain('finance:reports:read');
    expect(await h.store.grants.listForUser(gina.id)).toEqual([]);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'access.refused', step: 'authorize', userId: gina.id, orgId: h.globex, resource: AUTHZ_RESOURCE }));
    expect(h.events.map((e) => e.type)).not.toContain('consent.granted');
  });

  it('prompt=none does not turn the refusal into a redirect either', async () => {
    const browser = new TestBrowser(h);
    const { interactionId } = await startAndLogin(browser, gina);
    await browser.get(`/interaction/${interactionId}`);
    const silent = await browser.get(authorizeUrl({ prompt: 'none' }));
    expect(silent.status).toBe(403);
    expect(silent.headers.get('location')).toBeNull();
  });

  it("offers only the orgs the resource serves: Bob (Acme and Globex) goes straight to Acme's consent", async () => {
    const browser = new TestBrowser(h);
    const { interactionId } = await startAndLogin(browser, h.bob, { scope: 'finance:reports:read' });
    const html = await (await browser.get(`/interaction/${interactionId}`)).text();
    expect(html).not.toContain('type="radio"');
    expect(html).toContain('Acme Corp');
    expect(html).not.toContain('Globex');
  });

  it('a forged org pick naming an org the resource does not serve is refused', async () => {
    const browser = new TestBrowser(h);
    const { interactionId } = await startAndLogin(browser, h.bob, { prompt: 'select_account' });
    const picker = await (await browser.get(`/interaction/${interactionId}`)).text();
    expect(picker).toContain('type="radio"');
    expect(picker).not.toContain(h.globex);
    const forged = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(picker), action: 'pick_org', org: h.globex });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
  });
});

describe('Organizations bound resources at the token endpoint and introspection', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(() => fx.close());

  /** The operator stops serving Acme (as `gatehouse apply` would, which announces resource.updated). */
  async function stopServingAcme(): Promise<void> {
    const resource = (await fx.store.resources.get(RESOURCE))!;
    await fx.store.resources.upsert({ ...resource, organizations: [] });
    await fx.ctx.events.publish({ type: 'resource.updated', resource: RESOURCE });
  }

  it('RFC 6749 §5.2: a code whose org the resource no longer serves is invalid_grant, and nothing is issued', async () => {
    const issued = await issueCode(fx);
    await stopServingAcme();
    const { status, body } = await redeem(fx, issued);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
    expect(body.access_token).toBeUndefined();
    expect(fx.events).toContainEqual(expect.objectContaining({ type: 'access.refused', step: 'token', orgId: ORG, resource: RESOURCE }));
    expect(fx.events.map((e) => e.type)).not.toContain('token.issued');
  });

  it('a refresh for an org the resource no longer serves is invalid_grant and rotates nothing', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    await stopServingAcme();
    const refreshed = await token(fx, { grant_type: 'refresh_token', refresh_token: body.refresh_token!, client_id: 'public-app' });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect((await fx.store.tokens.get(tokenHash(body.refresh_token!)))?.rotatedAt).toBeNull();
  });

  it("RFC 8707: client_credentials for a resource that does not serve the agent's org is invalid_target", async () => {
    await stopServingAcme();
    const { status, body } = await token(fx, { grant_type: 'client_credentials', resource: RESOURCE, scope: 'crm:read' }, basic('agent'));
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_target');
    expect(fx.events).toContainEqual(expect.objectContaining({ type: 'access.refused', step: 'token', orgId: ORG, clientId: 'agent' }));
  });

  it('RFC 7662: a token whose org the resource no longer serves introspects as exactly {"active":false}, cached answer or not', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    expect((await introspect(fx, body.access_token!)).active).toBe(true);
    await stopServingAcme();
    expect(await introspect(fx, body.access_token!)).toEqual({ active: false });
    expect(fx.events).toContainEqual(expect.objectContaining({ type: 'access.refused', step: 'introspect', orgId: ORG }));
  });
});
