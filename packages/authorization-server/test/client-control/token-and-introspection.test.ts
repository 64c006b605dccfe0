/**
 * Issue 16, item 2: an org decides which AI clients reach its resources.
 * At the token endpoint a refused client gets nothing (invalid_grant for a
 * code or refresh token, unauthorized_client for a service agent); at
 * introspection its tokens in that org are inactive; a block revokes its
 * tokens in that org at once and says so on the event bus, naming the org;
 * the same client in another org is untouched. The operator and the org's
 * own admins can do it; a plain member and another org's admin cannot.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken, sha256, tokenHash } from '@gatehouse-auth/core';
import { startSession } from '../../src/session/current-session.ts';
import { cookieJar } from '../../src/session/cookies.ts';
import { ORG_ADMIN_PERMISSION } from '../../src/admin/org-admin.ts';
import { blockClient, setClientPolicyMode } from '../../src/admin/client-control.ts';
import { ALICE, basic, BOB, createFixture, introspect, ISSUER, issueCode, ORG, redeem, RESOURCE, token, type Fixture } from '../token/fixture.ts';

const GLOBEX = 'org_globex';
const CAROL = 'usr_carol';
const ADMIN_KEY = 'operator-key-for-tests-0123456789abcdef';
const OPERATOR = { kind: 'operator', id: 'test' } as const;
let fx: Fixture;

beforeEach(async () => {
  fx = await createFixture({ adminKeyHash: sha256(ADMIN_KEY) });
  const now = fx.clock.now();
  const admin = await fx.store.roles.get('Admin');
  await fx.store.roles.upsert({ ...admin!, permissions: [...admin!.permissions, ORG_ADMIN_PERMISSION] });
  await fx.store.orgs.create({ id: GLOBEX, slug: 'globex', name: 'Globex', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await fx.store.users.create({ id: CAROL, email: 'carol@globex.test', name: 'Carol', passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
  await fx.store.orgs.upsertMembership({ userId: CAROL, orgId: GLOBEX, roles: ['Admin'], createdAt: now, updatedAt: now });
  const resource = await fx.store.resources.get(RESOURCE);
  await fx.store.resources.upsert({ ...resource!, organizations: [ORG, GLOBEX] });
});
afterEach(() => fx.close());

const refresh = (refreshToken: string) => token(fx, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'public-app', resource: RESOURCE });

describe('Client control per org at the token endpoint and introspection (issue 16)', () => {
  it('blocking a client revokes its live tokens in that org at once: introspection inactive, refresh invalid_grant', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    expect(await introspect(fx, body.access_token!)).toMatchObject({ active: true });
    const result = await blockClient(fx.ctx, ORG, { kind: 'client', value: 'public-app' }, OPERATOR);
    expect(result.tokensRevoked).toBe(2);
    expect(await introspect(fx, body.access_token!)).toEqual({ active: false });
    const refreshed = await refresh(body.refresh_token!);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('a block is announced as token.revoked naming the org, the client and every revoked hash', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    await blockClient(fx.ctx, ORG, { kind: 'client', value: 'public-app' }, OPERATOR);
    const revoked = fx.events.find((e) => e.type === 'token.revoked');
    expect(revoked).toMatchObject({ reason: 'client_blocked', orgId: ORG, clientId: 'public-app' });
    expect((revoked as { tokenHashes: string[] }).tokenHashes).toContain(tokenHash(body.access_token!));
    expect(fx.events.find((e) => e.type === 'org.client_policy_changed')).toMatchObject({ orgId: ORG, rule: { kind: 'client', value: 'public-app', decision: 'block' } });
  });

  it('a blocked client cannot redeem a code for that org (invalid_grant), while the same client in another org still can', async () => {
    const acmeCode = await issueCode(fx);
    const globexCode = await issueCode(fx, { userId: CAROL, orgId: GLOBEX });
    const { body: globexBefore } = await redeem(fx, await issueCode(fx, { userId: CAROL, orgId: GLOBEX }));
    await blockClient(fx.ctx, ORG, { kind: 'client', value: 'public-app' }, OPERATOR);
    const refused = await redeem(fx, acmeCode);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect(refused.body.access_token).toBeUndefined();
    const allowed = await redeem(fx, globexCode);
    expect(allowed.status).toBe(200);
    expect(await introspect(fx, globexBefore.access_token!)).toMatchObject({ active: true, org_id: GLOBEX });
  });

  it('under an allowlist that leaves the client out, its unrevoked token is inactive and its code and refresh are invalid_grant', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    const code = await issueCode(fx);
    await setClientPolicyMode(fx.ctx, ORG, 'allowlist', OPERATOR);
    expect(await introspect(fx, body.access_token!)).toEqual({ active: false });
    expect((await redeem(fx, code)).body.error).toBe('invalid_grant');
    expect((await refresh(body.refresh_token!)).body.error).toBe('invalid_grant');
    expect(fx.events.filter((e) => e.type === 'access.refused').map((e) => (e as { reason: string }).reason)).toContain('client_not_allowed');
  });

  it('a service agent blocked by its own org gets unauthorized_client from client_credentials', async () => {
    await blockClient(fx.ctx, ORG, { kind: 'client', value: 'agent' }, OPERATOR);
    const { status, body } = await token(fx, { grant_type: 'client_credentials', resource: RESOURCE, scope: 'crm:read' }, basic('agent'));
    expect(status).toBe(400);
    expect(body.error).toBe('unauthorized_client');
  });
});

const jar = cookieJar(ISSUER);
const browserSecret = randomToken();
const origin = new URL(ISSUER).origin;

async function signedIn(userId: string): Promise<string> {
  const { setCookie } = await startSession(fx.ctx, (await fx.store.users.get(userId))!);
  return `${setCookie.split(';')[0]}; ${jar.browser}=${browserSecret}`;
}

async function policyOf(cookie: string, orgId = ORG) {
  const response = await fx.app.request(`/account/orgs/${orgId}/clients`, { headers: { cookie } });
  return { status: response.status, body: (await response.json()) as { mode?: string; rules?: unknown[]; csrf_token?: string } };
}

const orgAdminPost = (cookie: string, path: string, csrf: string | undefined, body: unknown) =>
  fx.app.request(path, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: JSON.stringify(body) });

describe("Who may change an org's client policy (issue 16)", () => {
  it('an org admin blocks a client in their org: tokens revoked, answered with the count', async () => {
    const { body: tokens } = await redeem(fx, await issueCode(fx, { userId: BOB }));
    const cookie = await signedIn(ALICE);
    const { status, body } = await policyOf(cookie);
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'open', rules: [] });
    const response = await orgAdminPost(cookie, `/account/orgs/${ORG}/clients/block`, body.csrf_token, { client_id: 'public-app' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, tokens_revoked: 2 });
    expect(await introspect(fx, tokens.access_token!)).toEqual({ active: false });
    expect(fx.events.find((e) => e.type === 'org.client_policy_changed')).toMatchObject({ actor: { kind: 'user', id: ALICE } });
  });

  it('refuses a plain member (403) and an admin of another org (403), and a request without the CSRF token', async () => {
    const { body: tokens } = await redeem(fx, await issueCode(fx));
    const bob = await signedIn(BOB);
    expect((await policyOf(bob)).status).toBe(403);
    expect((await orgAdminPost(bob, `/account/orgs/${ORG}/clients/block`, 'x', { client_id: 'public-app' })).status).toBe(403);
    const carol = await signedIn(CAROL);
    const { body: carolsOwn } = await policyOf(carol, GLOBEX);
    expect((await orgAdminPost(carol, `/account/orgs/${ORG}/clients/block`, carolsOwn.csrf_token, { client_id: 'public-app' })).status).toBe(403);
    const alice = await signedIn(ALICE);
    expect((await orgAdminPost(alice, `/account/orgs/${ORG}/clients/block`, undefined, { client_id: 'public-app' })).status).toBe(403);
    expect(await introspect(fx, tokens.access_token!)).toMatchObject({ active: true });
  });

  it('the operator sets the mode, allows a host and blocks a client by the org slug; a malformed host is invalid_request', async () => {
    const admin = (method: string, path: string, body: unknown) =>
      fx.app.request(path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await admin('PUT', '/admin/orgs/acme/clients/mode', { mode: 'allowlist' })).status).toBe(200);
    expect((await admin('POST', '/admin/orgs/acme/clients/allow', { host: 'Claude.AI' })).status).toBe(200);
    expect((await admin('POST', '/admin/orgs/acme/clients/block', { client_id: 'other-app' })).status).toBe(200);
    const bad = await admin('POST', '/admin/orgs/acme/clients/allow', { host: 'https://claude.ai/x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
    const policy = await (await fx.app.request('/admin/orgs/acme/clients', { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
    expect(policy).toMatchObject({
      org_id: ORG,
      mode: 'allowlist',
      rules: [
        { kind: 'client', value: 'other-app', decision: 'block' },
        { kind: 'host', value: 'claude.ai', decision: 'allow' },
      ],
    });
    expect((await admin('POST', '/admin/orgs/acme/clients/block', { client_id: 'x' })).status).toBe(200);
    expect((await fx.app.request('/admin/orgs/acme/clients/block', { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: '{}' })).status).toBe(401);
  });
});

describe('What the revocation stream carries of an org client policy change (issue 16)', () => {
  it('a mode change or a removed rule goes out naming the org (resource servers drop its cached tokens); an allow or a pending request does not', async () => {
    const { toRevocationMessage } = await import('../../src/events-stream/revocation-event.ts');
    const at = 1;
    expect(toRevocationMessage({ type: 'org.client_policy_changed', orgId: ORG, mode: 'allowlist', at })).toEqual({ type: 'org.client_policy_changed', orgId: ORG, at });
    expect(toRevocationMessage({ type: 'org.client_policy_changed', orgId: ORG, rule: { kind: 'host', value: 'claude.ai', decision: null }, at })).toMatchObject({ orgId: ORG });
    expect(toRevocationMessage({ type: 'org.client_policy_changed', orgId: ORG, rule: { kind: 'host', value: 'claude.ai', decision: 'allow' }, at })).toBeUndefined();
    expect(toRevocationMessage({ type: 'org.client_policy_changed', orgId: ORG, rule: { kind: 'client', value: 'x', decision: 'pending' }, at })).toBeUndefined();
  });
});
