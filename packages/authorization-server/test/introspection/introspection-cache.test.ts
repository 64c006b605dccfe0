import { afterEach, describe, expect, it } from 'vitest';
import { tokenHash } from '@gatehouse-auth/core';
import { disableUser, setMemberRoles } from '../../src/admin/revocation.ts';
import { introspectionCacheSize } from '../../src/introspection/cache.ts';
import { ALICE, createFixture, introspect, issueCode, ORG, post, redeem, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
afterEach(() => fx.close());

async function cachedToken(options: Parameters<typeof createFixture>[0] = {}) {
  fx = await createFixture(options);
  const { body } = await redeem(fx, await issueCode(fx));
  expect(await introspect(fx, body.access_token!)).toMatchObject({ active: true });
  return body.access_token!;
}

const operator = { kind: 'operator', id: 'test' } as const;

describe('Introspection cache never outlives a revocation', () => {
  it('answers {"active":false} right after /revoke of a token whose answer was cached', async () => {
    const access = await cachedToken();
    await post(fx, '/revoke', { token: access, client_id: 'public-app' });
    expect(await introspect(fx, access)).toEqual({ active: false });
  });

  it('answers {"active":false} right after the user is disabled', async () => {
    const access = await cachedToken();
    await disableUser(fx.ctx, ALICE, operator);
    expect(await introspect(fx, access)).toEqual({ active: false });
  });

  it('shows new roles right after a membership change', async () => {
    const access = await cachedToken();
    await setMemberRoles(fx.ctx, ORG, ALICE, ['Admin', 'Member'], operator);
    expect(await introspect(fx, access)).toMatchObject({ users_org_roles: ['Admin', 'Member'] });
  });

  it('drops the hashes named by a token.revoked event published elsewhere (e.g. relayed from another process)', async () => {
    const access = await cachedToken();
    await fx.store.tokens.revoke(tokenHash(access), fx.clock.now());
    await fx.ctx.events.publish({ type: 'token.revoked', tokenHashes: [tokenHash(access)], reason: 'revoked_by_admin' });
    expect(await introspect(fx, access)).toEqual({ active: false });
  });

  it('sees a change that announced no event once introspectionCacheMs has passed', async () => {
    const access = await cachedToken({ introspectionCacheMs: 2_000 });
    await fx.store.users.setStatus(ALICE, 'disabled', fx.clock.now());
    fx.clock.advance(2_000);
    expect(await introspect(fx, access)).toEqual({ active: false });
  });

  it('with introspectionCacheMs 0 reads the store on every request', async () => {
    const access = await cachedToken({ introspectionCacheMs: 0 });
    await fx.store.users.setStatus(ALICE, 'disabled', fx.clock.now());
    expect(await introspect(fx, access)).toEqual({ active: false });
  });

  it("never serves a cached answer past the token's expiry", async () => {
    const access = await cachedToken({ introspectionCacheMs: 10 * 3600_000 });
    fx.clock.advance(1800 * 1000);
    expect(await introspect(fx, access)).toEqual({ active: false });
  });
});

describe('Introspection cache is bounded by time, not only by its size cap', () => {
  async function introspectedToken(): Promise<string> {
    const { body } = await redeem(fx, await issueCode(fx));
    expect(await introspect(fx, body.access_token!)).toMatchObject({ active: true });
    return body.access_token!;
  }

  it('forgets lapsed answers of tokens never asked about again once the next answer is cached (the soak kept every one)', async () => {
    fx = await createFixture({ introspectionCacheMs: 2_000 });
    for (let i = 0; i < 5; i++) await introspectedToken();
    expect(introspectionCacheSize(fx.ctx)).toBe(5);
    fx.clock.advance(2_000);
    await introspectedToken();
    expect(introspectionCacheSize(fx.ctx)).toBe(1);
  });

  it('keeps the answers still within their TTL', async () => {
    fx = await createFixture({ introspectionCacheMs: 2_000 });
    await introspectedToken();
    fx.clock.advance(1_000);
    const second = await introspectedToken();
    fx.clock.advance(1_000);
    await introspectedToken();
    expect(introspectionCacheSize(fx.ctx)).toBe(2);
    // The second answer is still served from memory: a change without an event does not show yet.
    await fx.store.users.setStatus(ALICE, 'disabled', fx.clock.now());
    expect(await introspect(fx, second)).toMatchObject({ active: true });
  });
});
