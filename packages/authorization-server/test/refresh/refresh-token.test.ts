import { afterEach, describe, expect, it } from 'vitest';
import { tokenHash } from '@gatehouse-auth/core';
import { createAuthorizationServerApp } from '../../src/index.ts';
import { ISSUED_REFRESH_TTL_MS, issuedRefreshCacheSize } from '../../src/token/issued-refresh-tokens.ts';
import { ALICE, basic, createFixture, introspect, issueCode, ORG, OTHER_RESOURCE, redeem, RESOURCE, token, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
afterEach(() => fx.close());

async function start(options: Parameters<typeof createFixture>[0] = {}, scopes?: string[]) {
  fx = await createFixture(options);
  const first = await redeem(fx, await issueCode(fx, scopes ? { scopes } : {}));
  expect(first.status).toBe(200);
  return { access: first.body.access_token!, refresh: first.body.refresh_token! };
}

const refresh = (refreshToken: string, extra: Record<string, string> = {}, clientId = 'public-app') =>
  token(fx, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, ...extra });

describe('RFC 9700 §4.14.2 refresh token rotation', () => {
  it('rotates the refresh token on every use', async () => {
    const rt1 = (await start()).refresh;
    const second = await refresh(rt1);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).toBeDefined();
    expect(second.body.refresh_token).not.toBe(rt1);
    const third = await refresh(second.body.refresh_token!);
    expect(third.status).toBe(200);
  });

  it('on replay of a rotated token revokes RT2 and every access token of the grant', async () => {
    const { access: at1, refresh: rt1 } = await start();
    const second = await refresh(rt1);
    fx.clock.advance(fx.ctx.options.refreshGraceMs + 1);
    const replay = await refresh(rt1);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect(await introspect(fx, at1)).toEqual({ active: false });
    expect(await introspect(fx, second.body.access_token!)).toEqual({ active: false });
    const rt2 = await refresh(second.body.refresh_token!);
    expect(rt2.body.error).toBe('invalid_grant');
  });

  it('publishes token.refresh_reuse_detected and token.revoked with the revoked hashes', async () => {
    const { refresh: rt1 } = await start({ refreshGraceMs: 0 });
    const second = await refresh(rt1);
    await refresh(rt1);
    const reuse = fx.events.find((event) => event.type === 'token.refresh_reuse_detected');
    const revoked = fx.events.find((event) => event.type === 'token.revoked');
    expect(reuse && 'tokenHashes' in reuse ? reuse.tokenHashes : []).toEqual(expect.arrayContaining([tokenHash(second.body.access_token!), tokenHash(second.body.refresh_token!)]));
    expect(revoked).toMatchObject({ reason: 'refresh_reuse', userId: ALICE, clientId: 'public-app' });
  });

  it('with grace 0 lets exactly one of two concurrent refreshes succeed', async () => {
    const { refresh: rt1 } = await start({ refreshGraceMs: 0 });
    const results = await Promise.all([refresh(rt1), refresh(rt1)]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 400]);
    expect(results.find((result) => result.status === 400)!.body.error).toBe('invalid_grant');
  });

  it('within the grace window lets the immediate predecessor rotate again without revoking anything', async () => {
    const { refresh: rt1 } = await start({ refreshGraceMs: 10_000 });
    const second = await refresh(rt1);
    fx.clock.advance(5_000);
    const parallel = await refresh(rt1);
    expect(parallel.status).toBe(200);
    expect(await introspect(fx, second.body.access_token!)).toMatchObject({ active: true });
    expect(fx.events.some((event) => event.type === 'token.revoked')).toBe(false);
  });

  it('grace covers only the immediate predecessor: a grandparent token is reuse', async () => {
    const { refresh: rt1 } = await start({ refreshGraceMs: 10_000 });
    const second = await refresh(rt1);
    const third = await refresh(second.body.refresh_token!);
    const replay = await refresh(rt1);
    expect(replay.body.error).toBe('invalid_grant');
    expect(await introspect(fx, third.body.access_token!)).toEqual({ active: false });
  });
});

describe('OAuth 2.1 §4.3 refresh token binding, scope and audience', () => {
  it('rejects a refresh token presented by another client and leaves it usable by its own', async () => {
    const { refresh: rt1 } = await start();
    const stolen = await refresh(rt1, {}, 'other-app');
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe('invalid_grant');
    expect((await refresh(rt1)).status).toBe(200);
  });

  it('rejects a scope wider than the grant with invalid_scope', async () => {
    const { refresh: rt1 } = await start();
    const wider = await refresh(rt1, { scope: 'crm:read crm:export' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    expect((await refresh(rt1)).status).toBe(200);
  });

  it('narrows the access token to a requested subset while the new refresh token keeps the grant scope (RFC 6749 §6)', async () => {
    const { refresh: rt1 } = await start();
    const narrow = await refresh(rt1, { scope: 'crm:read' });
    expect(narrow.body.scope).toBe('crm:read');
    const full = await refresh(narrow.body.refresh_token!);
    expect(full.body.scope).toBe('crm:read crm:write');
  });

  it('rejects a resource outside the grant with invalid_target', async () => {
    const { refresh: rt1 } = await start();
    const other = await refresh(rt1, { resource: OTHER_RESOURCE });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('invalid_target');
    expect((await refresh(rt1, { resource: RESOURCE })).status).toBe(200);
  });

  it('rejects the refresh when the user has been disabled', async () => {
    const { refresh: rt1 } = await start();
    await fx.store.users.setStatus(ALICE, 'disabled', fx.clock.now());
    expect((await refresh(rt1)).body.error).toBe('invalid_grant');
  });

  it('rejects the refresh when the membership is gone', async () => {
    const { refresh: rt1 } = await start();
    await fx.store.orgs.removeMembership(ALICE, ORG);
    expect((await refresh(rt1)).body.error).toBe('invalid_grant');
  });

  it('rejects the refresh when the grant was revoked', async () => {
    const { refresh: rt1 } = await start();
    const grant = (await fx.store.grants.listForUser(ALICE))[0]!;
    await fx.store.grants.revokeGrant(grant.id, fx.clock.now());
    expect((await refresh(rt1)).body.error).toBe('invalid_grant');
  });

  it('rejects a refresh token revoked in the store although this process issued it (liveness is read under the rotation lock)', async () => {
    const { refresh: rt1 } = await start();
    await fx.store.tokens.revoke(tokenHash(rt1), fx.clock.now());
    expect((await refresh(rt1)).body.error).toBe('invalid_grant');
  });

  it('rotates a refresh token that another process issued (nothing remembered here), and refuses it to another client', async () => {
    const { refresh: rt1 } = await start();
    // A second server over the same store: its own process-local state, as in a multi-process deployment.
    const other = createAuthorizationServerApp({ ...fx.ctx });
    const post = (form: Record<string, string>) =>
      other.request('/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    const stolen = await post({ grant_type: 'refresh_token', refresh_token: rt1, client_id: 'other-app' });
    expect(stolen.status).toBe(400);
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_grant');
    const rotated = await post({ grant_type: 'refresh_token', refresh_token: rt1, client_id: 'public-app' });
    expect(rotated.status).toBe(200);
    expect(((await rotated.json()) as { refresh_token?: string }).refresh_token).toBeDefined();
  });

  it('rejects an expired refresh token', async () => {
    const { refresh: rt1 } = await start({ refreshTokenTtl: 60 });
    fx.clock.advance(60_001);
    expect((await refresh(rt1)).body.error).toBe('invalid_grant');
  });

  it('rejects an access token presented as a refresh token', async () => {
    const { access } = await start();
    expect((await refresh(access)).body.error).toBe('invalid_grant');
  });

  it('requires a confidential client to authenticate with its secret to refresh', async () => {
    fx = await createFixture();
    const issued = await issueCode(fx, { clientId: 'web-app' });
    const ok = await token(fx, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'http://127.0.0.1/cb', resource: RESOURCE }, basic('web-app'));
    expect(ok.status).toBe(200);
    const withoutSecret = await token(fx, { grant_type: 'refresh_token', refresh_token: ok.body.refresh_token!, client_id: 'web-app' });
    expect(withoutSecret.status).toBe(401);
    const withSecret = await token(fx, { grant_type: 'refresh_token', refresh_token: ok.body.refresh_token! }, basic('web-app'));
    expect(withSecret.status).toBe(200);
  });
});

describe('Refresh tokens remembered by this process are bounded by time, not only by a size cap', () => {
  it('forgets issued refresh tokens nobody used once their time is up, and still rotates them from the store', async () => {
    const { refresh: unused } = await start();
    for (let i = 0; i < 2; i++) expect((await redeem(fx, await issueCode(fx))).status).toBe(200);
    expect(issuedRefreshCacheSize(fx.ctx)).toBe(3);
    fx.clock.advance(ISSUED_REFRESH_TTL_MS);
    expect((await redeem(fx, await issueCode(fx))).status).toBe(200);
    expect(issuedRefreshCacheSize(fx.ctx)).toBe(1);
    const rotated = await refresh(unused);
    expect(rotated.status).toBe(200);
  });
});
