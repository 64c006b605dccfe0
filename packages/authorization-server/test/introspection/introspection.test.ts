import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken, seconds } from '@gatehouse-auth/core';
import { ALICE, BOB, basic, createFixture, introspect, ISSUER, issueCode, ORG, post, redeem, RESOURCE, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(() => fx.close());

async function aliceTokens() {
  const { body } = await redeem(fx, await issueCode(fx));
  return { access: body.access_token!, refresh: body.refresh_token! };
}

describe('RFC 7662 §2.1 introspection caller authentication', () => {
  it('answers 401 invalid_client to a caller without credentials', async () => {
    const { access } = await aliceTokens();
    const response = await post(fx, '/introspect', { token: access });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('answers 401 to a wrong client secret', async () => {
    const { access } = await aliceTokens();
    const response = await post(fx, '/introspect', { token: access }, basic('resource-server', 'wrong'));
    expect(response.status).toBe(401);
  });

  it('answers 401 to a public client (it proves nothing about itself)', async () => {
    const { access } = await aliceTokens();
    const response = await post(fx, '/introspect', { token: access, client_id: 'public-app' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('answers invalid_request when the token parameter is missing', async () => {
    const response = await post(fx, '/introspect', {}, basic('resource-server'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('RFC 7662 §2.2 introspection response', () => {
  it('describes an active user token with current org roles and permissions (seed 000 shape)', async () => {
    const { access } = await aliceTokens();
    const now = fx.clock.now();
    const response = await post(fx, '/introspect', { token: access }, basic('resource-server'));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      active: true,
      scope: 'crm:read crm:write',
      client_id: 'public-app',
      sub: ALICE,
      aud: RESOURCE,
      iss: ISSUER,
      exp: seconds(now) + 1800,
      iat: seconds(now),
      token_type: 'Bearer',
      org_id: ORG,
      users_org_roles: ['Admin'],
      users_org_permissions: ['can_edit_resource', 'can_view_resource'],
      username: 'alice@acme.test',
    });
  });

  it('reports the roles the member holds now, not at issuance', async () => {
    const { access } = await aliceTokens();
    const now = fx.clock.now();
    await fx.store.orgs.upsertMembership({ userId: ALICE, orgId: ORG, roles: ['Member'], createdAt: now, updatedAt: now });
    expect(await introspect(fx, access)).toMatchObject({ users_org_roles: ['Member'], users_org_permissions: ['can_view_resource'] });
  });

  for (const [label, act] of [
    ['an unknown token', async () => randomToken()],
    [
      'an expired token',
      async () => {
        const { access } = await aliceTokens();
        fx.clock.advance(1800 * 1000);
        return access;
      },
    ],
    [
      'a revoked token',
      async () => {
        const { access } = await aliceTokens();
        await post(fx, '/revoke', { token: access, client_id: 'public-app' });
        return access;
      },
    ],
    [
      'a token of a revoked grant',
      async () => {
        const { access } = await aliceTokens();
        await fx.store.grants.revokeGrant((await fx.store.grants.listForUser(ALICE))[0]!.id, fx.clock.now());
        return access;
      },
    ],
    [
      'a token of a disabled user',
      async () => {
        const { access } = await aliceTokens();
        await fx.store.users.setStatus(ALICE, 'disabled', fx.clock.now());
        return access;
      },
    ],
    [
      'a token of a user no longer in the org',
      async () => {
        const { access } = await aliceTokens();
        await fx.store.orgs.removeMembership(ALICE, ORG);
        return access;
      },
    ],
  ] as const) {
    it(`answers exactly {"active":false} for ${label}`, async () => {
      const value = await act();
      const response = await post(fx, '/introspect', { token: value }, basic('resource-server'));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('{"active":false}');
    });
  }

  it('introspects a refresh token for the client it was issued to, when that client is a resource server', async () => {
    const now = fx.clock.now();
    const web = await fx.store.clients.get('web-app');
    expect(web).toBeDefined();
    await fx.store.clients.upsert({ ...web!, resourceServerFor: [RESOURCE] });
    const issued = await issueCode(fx, { clientId: 'web-app', userId: BOB });
    const tokens = await post(
      fx,
      '/token',
      { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'http://127.0.0.1/cb', resource: RESOURCE },
      basic('web-app'),
    );
    const { refresh_token } = (await tokens.json()) as { refresh_token: string };
    const own = await post(fx, '/introspect', { token: refresh_token, token_type_hint: 'refresh_token' }, basic('web-app'));
    expect(await own.json()).toMatchObject({ active: true, token_type: 'refresh_token', sub: BOB, exp: seconds(now) + 30 * 24 * 3600 });
  });

  it('never shows a refresh token as active to a resource server (it is not an access token)', async () => {
    const { refresh } = await aliceTokens();
    expect(await introspect(fx, refresh)).toEqual({ active: false });
  });

  it('a confidential client that is not a resource server cannot introspect, not even its own refresh token: 401 invalid_client', async () => {
    const issued = await issueCode(fx, { clientId: 'web-app', userId: BOB });
    const tokens = await post(
      fx,
      '/token',
      { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'http://127.0.0.1/cb', resource: RESOURCE },
      basic('web-app'),
    );
    const { refresh_token, access_token } = (await tokens.json()) as { refresh_token: string; access_token: string };
    for (const value of [refresh_token, access_token]) {
      const response = await post(fx, '/introspect', { token: value }, basic('web-app'));
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    }
  });

  it('treats a rotated refresh token as spent', async () => {
    const web = await fx.store.clients.get('web-app');
    await fx.store.clients.upsert({ ...web!, resourceServerFor: [RESOURCE] });
    const issued = await issueCode(fx, { clientId: 'web-app' });
    const first = (await (
      await post(fx, '/token', { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'http://127.0.0.1/cb', resource: RESOURCE }, basic('web-app'))
    ).json()) as { refresh_token: string };
    await post(fx, '/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token }, basic('web-app'));
    expect(await introspect(fx, first.refresh_token, 'web-app')).toEqual({ active: false });
  });
});
