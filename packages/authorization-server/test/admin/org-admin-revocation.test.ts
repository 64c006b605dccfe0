/**
 * Issue #3 §7: an org admin (a role with `gatehouse:org:admin`) revokes
 * access in their own organization, effective on the next request; a plain
 * member cannot, and another organization's grants and members are out of
 * reach (answered as missing).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken } from '@gatehouse-auth/core';
import { startSession } from '../../src/session/current-session.ts';
import { cookieJar } from '../../src/session/cookies.ts';
import { ORG_ADMIN_PERMISSION } from '../../src/admin/org-admin.ts';
import { ALICE, BOB, createFixture, introspect, ISSUER, issueCode, ORG, redeem, type Fixture } from '../token/fixture.ts';

const OTHER_ORG = 'org_globex';
const CAROL = 'usr_carol';
let fx: Fixture;

beforeEach(async () => {
  fx = await createFixture();
  const now = fx.clock.now();
  const admin = await fx.store.roles.get('Admin');
  await fx.store.roles.upsert({ ...admin!, permissions: [...admin!.permissions, ORG_ADMIN_PERMISSION] });
  await fx.store.orgs.create({ id: OTHER_ORG, slug: 'globex', name: 'Globex', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await fx.store.users.create({ id: CAROL, email: 'carol@globex.test', name: 'Carol', passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
  await fx.store.orgs.upsertMembership({ userId: CAROL, orgId: OTHER_ORG, roles: ['Member'], createdAt: now, updatedAt: now });
});
afterEach(() => fx.close());

const jar = cookieJar(ISSUER);
const browserSecret = randomToken();
const origin = new URL(ISSUER).origin;

async function signedIn(userId: string): Promise<string> {
  const { setCookie } = await startSession(fx.ctx, (await fx.store.users.get(userId))!);
  return `${setCookie.split(';')[0]}; ${jar.browser}=${browserSecret}`;
}

async function orgGrants(cookie: string, orgId = ORG) {
  const response = await fx.app.request(`/account/orgs/${orgId}/grants`, { headers: { cookie } });
  return { status: response.status, body: (await response.json()) as { grants?: Array<{ id: string; user_id: string }>; csrf_token?: string; error?: string } };
}

const post = (cookie: string, path: string, csrf: string | undefined) =>
  fx.app.request(path, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' }, body: csrf === undefined ? '' : new URLSearchParams({ csrf }).toString() });

describe('Org admin revocation (issue #3 §7)', () => {
  it("lets an org admin list the org's grants and revoke a member's grant; the token is inactive on the next request", async () => {
    const { body: bobTokens } = await redeem(fx, await issueCode(fx, { userId: BOB }));
    const cookie = await signedIn(ALICE);
    const { status, body } = await orgGrants(cookie);
    expect(status).toBe(200);
    const bobsGrant = body.grants!.find((g) => g.user_id === BOB)!;
    const response = await post(cookie, `/account/orgs/${ORG}/grants/${bobsGrant.id}/revoke`, body.csrf_token);
    expect(response.status).toBe(200);
    expect(await introspect(fx, bobTokens.access_token!)).toEqual({ active: false });
    expect(fx.events.find((e) => e.type === 'grant.revoked')).toMatchObject({ actor: { kind: 'user', id: ALICE } });
  });

  it('lets an org admin revoke every token a member holds in the org', async () => {
    const { body: bobTokens } = await redeem(fx, await issueCode(fx, { userId: BOB }));
    const cookie = await signedIn(ALICE);
    const { body } = await orgGrants(cookie);
    const response = await post(cookie, `/account/orgs/${ORG}/members/${BOB}/revoke-tokens`, body.csrf_token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
    expect(await introspect(fx, bobTokens.access_token!)).toEqual({ active: false });
  });

  it('refuses a member without the admin permission (403) and leaves tokens alone', async () => {
    const { body: aliceTokens } = await redeem(fx, await issueCode(fx, { userId: ALICE }));
    const cookie = await signedIn(BOB);
    expect((await orgGrants(cookie)).status).toBe(403);
    expect((await post(cookie, `/account/orgs/${ORG}/members/${ALICE}/revoke-tokens`, 'whatever')).status).toBe(403);
    expect(await introspect(fx, aliceTokens.access_token!)).toMatchObject({ active: true });
  });

  it('keeps an admin of one org out of another org: 403 on its list, 404 for its member through their own org', async () => {
    const cookie = await signedIn(ALICE);
    expect((await orgGrants(cookie, OTHER_ORG)).status).toBe(403);
    const { body } = await orgGrants(cookie);
    expect((await post(cookie, `/account/orgs/${ORG}/members/${CAROL}/revoke-tokens`, body.csrf_token)).status).toBe(404);
  });

  it('refuses a revoke POST without the CSRF token (403)', async () => {
    const { body: bobTokens } = await redeem(fx, await issueCode(fx, { userId: BOB }));
    const cookie = await signedIn(ALICE);
    expect((await post(cookie, `/account/orgs/${ORG}/members/${BOB}/revoke-tokens`, undefined)).status).toBe(403);
    expect(await introspect(fx, bobTokens.access_token!)).toMatchObject({ active: true });
  });

  it('answers 401 login_required without a session', async () => {
    expect((await orgGrants('')).status).toBe(401);
  });
});
