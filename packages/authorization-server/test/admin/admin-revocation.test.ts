import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { ALICE, BOB, basic, createFixture, introspect, issueCode, ORG, redeem, token, type Fixture } from '../token/fixture.ts';

const ADMIN_KEY = 'operator-key-for-tests-0123456789abcdef';
let fx: Fixture;
afterEach(() => fx.close());

async function withAdmin() {
  fx = await createFixture({ adminKeyHash: sha256(ADMIN_KEY) });
  const { body } = await redeem(fx, await issueCode(fx));
  return { access: body.access_token!, refresh: body.refresh_token! };
}

const admin = (method: string, path: string, body?: unknown, key = ADMIN_KEY) =>
  fx.app.request(path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const refreshFails = async (refreshToken: string) => (await token(fx, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'public-app' })).body.error === 'invalid_grant';

describe('Admin API operator authentication', () => {
  it('does not exist (404) when no admin key is configured', async () => {
    fx = await createFixture();
    const response = await admin('POST', `/admin/users/${ALICE}/disable`);
    expect(response.status).toBe(404);
    expect((await fx.store.users.get(ALICE))!.status).toBe('active');
  });

  it('answers 401 with a Bearer challenge to a wrong key and changes nothing', async () => {
    const { access } = await withAdmin();
    const response = await admin('POST', `/admin/users/${ALICE}/revoke-tokens`, undefined, 'not-the-key');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await introspect(fx, access)).toMatchObject({ active: true });
  });

  it('answers 401 without an Authorization header', async () => {
    await withAdmin();
    const response = await fx.app.request(`/admin/users/${ALICE}/disable`, { method: 'POST' });
    expect(response.status).toBe(401);
  });
});

describe('Admin revocation', () => {
  it('revokes a grant and every token issued under it', async () => {
    const { access, refresh } = await withAdmin();
    const grant = (await fx.store.grants.listForUser(ALICE))[0]!;
    const response = await admin('POST', `/admin/grants/${grant.id}/revoke`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, tokens_revoked: 2 });
    expect(await introspect(fx, access)).toEqual({ active: false });
    expect(await refreshFails(refresh)).toBe(true);
    expect(fx.events.find((event) => event.type === 'grant.revoked')).toMatchObject({ grantId: grant.id, actor: { kind: 'operator' } });
  });

  it('answers 404 for an unknown grant', async () => {
    await withAdmin();
    expect((await admin('POST', '/admin/grants/grt_nope/revoke')).status).toBe(404);
  });

  it("revokes all of a user's tokens", async () => {
    const { access, refresh } = await withAdmin();
    expect((await admin('POST', `/admin/users/${ALICE}/revoke-tokens`)).status).toBe(200);
    expect(await introspect(fx, access)).toEqual({ active: false });
    expect(await refreshFails(refresh)).toBe(true);
    expect(fx.events.find((event) => event.type === 'token.revoked')).toMatchObject({ reason: 'revoked_by_admin', userId: ALICE });
  });

  it('disables a user: tokens revoked, refresh refused, login sessions ended', async () => {
    const { access, refresh } = await withAdmin();
    const now = fx.clock.now();
    await fx.store.sessions.create({ id: sha256('cookie'), userId: ALICE, createdAt: now, expiresAt: now + 3600_000, revokedAt: null });
    expect((await admin('POST', `/admin/users/${ALICE}/disable`)).status).toBe(200);
    expect((await fx.store.users.get(ALICE))!.status).toBe('disabled');
    expect(await introspect(fx, access)).toEqual({ active: false });
    expect(await refreshFails(refresh)).toBe(true);
    expect((await fx.store.sessions.get(sha256('cookie')))!.revokedAt).not.toBeNull();
    expect(fx.events.map((event) => event.type)).toEqual(expect.arrayContaining(['user.disabled', 'token.revoked']));
  });

  it('disables a client: its tokens are revoked and it can no longer authenticate', async () => {
    await withAdmin();
    const issued = await issueCode(fx, { clientId: 'web-app' });
    const tokens = await token(
      fx,
      { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'http://127.0.0.1/cb', resource: 'https://mcp.example.com/mcp' },
      basic('web-app'),
    );
    expect((await admin('POST', '/admin/clients/web-app/disable')).status).toBe(200);
    expect(await introspect(fx, tokens.body.access_token!)).toEqual({ active: false });
    const refresh = await token(fx, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token! }, basic('web-app'));
    expect(refresh.status).toBe(401);
    expect(fx.events.find((event) => event.type === 'client.disabled')).toMatchObject({ clientId: 'web-app' });
  });

  it('removes a member (org given by slug) and revokes their tokens in that org', async () => {
    const { access } = await withAdmin();
    expect((await admin('DELETE', `/admin/orgs/acme/members/${ALICE}`)).status).toBe(200);
    expect(await fx.store.orgs.getMembership(ALICE, ORG)).toBeUndefined();
    expect(await introspect(fx, access)).toEqual({ active: false });
    expect(fx.events.find((event) => event.type === 'membership.removed')).toMatchObject({ userId: ALICE, orgId: ORG, roles: ['Admin'] });
  });

  it("revokes the member's tokens when a role is taken away", async () => {
    const { access } = await withAdmin();
    const response = await admin('PUT', `/admin/orgs/${ORG}/members/${ALICE}/roles`, { roles: ['Member'] });
    expect(response.status).toBe(200);
    expect((await fx.store.orgs.getMembership(ALICE, ORG))!.roles).toEqual(['Member']);
    expect(await introspect(fx, access)).toEqual({ active: false });
    expect(fx.events.find((event) => event.type === 'membership.changed')).toMatchObject({ roles: ['Member'] });
  });

  it('keeps tokens when roles are only added, and introspection shows the new roles', async () => {
    const { access } = await withAdmin();
    expect((await admin('PUT', `/admin/orgs/${ORG}/members/${ALICE}/roles`, { roles: ['Admin', 'Member'] })).status).toBe(200);
    expect(await introspect(fx, access)).toMatchObject({ active: true, users_org_roles: ['Admin', 'Member'] });
  });

  it('rejects an unknown role with invalid_request and changes nothing', async () => {
    await withAdmin();
    const response = await admin('PUT', `/admin/orgs/${ORG}/members/${BOB}/roles`, { roles: ['Overlord'] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    expect((await fx.store.orgs.getMembership(BOB, ORG))!.roles).toEqual(['Member']);
  });

  it('answers 404 for a membership that does not exist', async () => {
    await withAdmin();
    expect((await admin('DELETE', `/admin/orgs/${ORG}/members/usr_nobody`)).status).toBe(404);
    expect((await admin('DELETE', `/admin/orgs/no-such-org/members/${ALICE}`)).status).toBe(404);
  });
});

describe('Revocation through the token endpoint after admin action', () => {
  it('a revoked user cannot mint new tokens from an outstanding code', async () => {
    await withAdmin();
    const issued = await issueCode(fx);
    await admin('POST', `/admin/users/${ALICE}/disable`);
    expect((await redeem(fx, issued)).body.error).toBe('invalid_grant');
  });
});
