import { describe, expect, it } from 'vitest';
import type { Grant, TokenRecord } from '@gatehouse-auth/core';
import { kyselyOf, type Store } from '@gatehouse-auth/store';
import { aGrant, aLiveGrant, aToken, successorPair, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

const ROUNDS = 20;

/** Tokens of the grant that are still usable after both racers finished. */
async function liveTokens(store: Store, tokens: TokenRecord[]): Promise<string[]> {
  const live: string[] = [];
  for (const t of tokens) if ((await store.tokens.get(t.hash))?.revokedAt === null) live.push(t.hash);
  return live;
}

/**
 * A refresh racing a revocation must not leave a freshly rotated token
 * alive: whichever commits first, the revocation covers the successor or
 * the rotation sees the old token revoked.
 */
export function revocationRacesSuite(ctx: SuiteContext): void {
  const other = () => ctx.another ?? ctx.store;
  const race = async (revoke: (store: Store, grant: Grant, refresh: TokenRecord) => Promise<unknown>) => {
    for (let round = 0; round < ROUNDS; round++) {
      const grant = await aLiveGrant(ctx.store);
      await ctx.store.grants.create(grant);
      const refresh = aToken(grant);
      await ctx.store.tokens.insert([refresh]);
      const next = successorPair(grant, refresh, T0 + 1);
      await Promise.all([ctx.store.tokens.rotateRefresh(refresh.hash, next, T0 + 1, 0), revoke(other(), grant, refresh)]);
      expect(await liveTokens(ctx.store, [refresh, ...next])).toEqual([]);
    }
  };

  describe('revocation racing a refresh leaves nothing alive', () => {
    it('revokeForUser vs rotateRefresh', () => race((s, g) => s.tokens.revokeForUser(g.userId!, T0 + 1)));
    it('revokeForUser scoped to the org vs rotateRefresh', () => race((s, g) => s.tokens.revokeForUser(g.userId!, T0 + 1, g.orgId!)));
    it('revokeForClient vs rotateRefresh', () => race((s, g) => s.tokens.revokeForClient(g.clientId, T0 + 1)));
    it('revokeFamily vs rotateRefresh', () => race((s, _g, r) => s.tokens.revokeFamily(r, T0 + 1)));
    it('revokeGrant vs rotateRefresh', () => race((s, g) => s.grants.revokeGrant(g.id, T0 + 1)));
  });

  describe('tokens issued under a grant being revoked are never left alive', () => {
    it('revokeGrant vs tokens.insert (a code exchange finishing as consent is withdrawn)', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const grant = aGrant();
        await ctx.store.grants.create(grant);
        const pair = [aToken(grant, { kind: 'access' }), aToken(grant)];
        await Promise.all([ctx.store.tokens.insert(pair), other().grants.revokeGrant(grant.id, T0 + 1)]);
        expect(await liveTokens(ctx.store, pair)).toEqual([]);
      }
    });

    it('inserts tokens of an already revoked grant as revoked, at the grant’s revocation time', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      await ctx.store.grants.revokeGrant(grant.id, T0 + 5);
      const token = aToken(grant);
      await ctx.store.tokens.insert([token]);
      expect(await ctx.store.tokens.get(token.hash)).toEqual({ ...token, revokedAt: T0 + 5 });
    });

    it('refuses to rotate a refresh token whose grant is revoked', async () => {
      const grant = await aLiveGrant(ctx.store);
      await ctx.store.grants.create(grant);
      const refresh = aToken(grant);
      await ctx.store.tokens.insert([refresh]);
      // Only the grant row revoked (data written by other tooling or an older version): the grant still wins.
      await kyselyOf(ctx.store)
        .db.updateTable('grants')
        .set({ revoked_at: T0 + 1 })
        .where('id', '=', grant.id)
        .execute();
      expect((await ctx.store.tokens.get(refresh.hash))?.revokedAt).toBeNull();
      expect(await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 2), T0 + 2, 0)).toEqual({ status: 'invalid', reason: 'revoked' });
    });
  });
}
