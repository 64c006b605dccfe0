/**
 * Issue 16 §4: the org-admin audit routes are mounted behind org-admin
 * authentication. mountOrgAdminApp lets a signed-in admin of THAT org (or
 * the operator key) through; no session is 401, a member who is not an
 * admin and an admin of another org are 403, and the sub-app learns the org
 * only from the guard.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { randomToken, sha256 } from '@gatehouse-auth/core';
import { startSession } from '../../src/session/current-session.ts';
import { cookieJar } from '../../src/session/cookies.ts';
import { mountOrgAdminApp, ORG_ADMIN_PERMISSION } from '../../src/admin/org-admin.ts';
import { ALICE, BOB, createFixture, ISSUER, ORG, type Fixture } from '../token/fixture.ts';

const OTHER_ORG = 'org_globex';
const CAROL = 'usr_carol';
const OPERATOR_KEY = 'operator-key-for-tests';
let fx: Fixture;

beforeEach(async () => {
  fx = await createFixture({ adminKeyHash: sha256(OPERATOR_KEY) });
  const now = fx.clock.now();
  const admin = await fx.store.roles.get('Admin');
  await fx.store.roles.upsert({ ...admin!, permissions: [...admin!.permissions, ORG_ADMIN_PERMISSION] });
  await fx.store.orgs.create({ id: OTHER_ORG, slug: 'globex', name: 'Globex', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await fx.store.users.create({ id: CAROL, email: 'carol@globex.test', name: 'Carol', passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
  await fx.store.orgs.upsertMembership({ userId: CAROL, orgId: OTHER_ORG, roles: ['Admin'], createdAt: now, updatedAt: now });
  // A stand-in for the audit routes: says which org the guard vouched for.
  mountOrgAdminApp(fx.app, fx.ctx, 'audit', (orgIdOf) => new Hono().get('/records', (c) => c.json({ org: orgIdOf(c) ?? null })));
});
afterEach(() => fx.close());

const jar = cookieJar(ISSUER);
const browserSecret = randomToken();
async function signedIn(userId: string): Promise<string> {
  const { setCookie } = await startSession(fx.ctx, (await fx.store.users.get(userId))!);
  return `${setCookie.split(';')[0]}; ${jar.browser}=${browserSecret}`;
}
const records = (org: string, headers: Record<string, string> = {}) => fx.app.request(`/account/orgs/${org}/audit/records?org=${OTHER_ORG}`, { headers });

describe('Org-admin routes (issue 16 §4): reachable only by an admin of that org', () => {
  it("lets the org's admin in, with the org taken from the path they are admin of", async () => {
    const response = await records(ORG, { cookie: await signedIn(ALICE) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ org: ORG });
  });

  it('refuses a member of the org who is not an admin (403)', async () => {
    expect((await records(ORG, { cookie: await signedIn(BOB) })).status).toBe(403);
  });

  it('refuses an admin of another org (403)', async () => {
    const cookie = await signedIn(CAROL);
    expect((await records(OTHER_ORG, { cookie })).status).toBe(200);
    expect((await records(ORG, { cookie })).status).toBe(403);
  });

  it('answers 401 without authentication', async () => {
    expect((await records(ORG)).status).toBe(401);
  });

  it('lets the operator key in (any org, by id or slug) and refuses a wrong key with 401', async () => {
    const operator = await records('globex', { authorization: `Bearer ${OPERATOR_KEY}` });
    expect(await operator.json()).toEqual({ org: OTHER_ORG });
    expect((await records(ORG, { authorization: 'Bearer not-the-key' })).status).toBe(401);
    expect((await records('no-such-org', { authorization: `Bearer ${OPERATOR_KEY}` })).status).toBe(404);
  });
});
