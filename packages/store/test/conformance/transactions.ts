import { describe, expect, it } from 'vitest';
import { aGrant, aLiveGrant, aToken, aUser, successorPair, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function transactionsSuite(ctx: SuiteContext): void {
  describe('transaction(fn)', () => {
    it('commits everything fn wrote when it resolves', async () => {
      const [a, b] = [aUser(), aUser()];
      const result = await ctx.store.transaction(async (tx) => {
        await tx.users.create(a);
        await tx.users.create(b);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await ctx.store.users.get(a.id)).toEqual(a);
      expect(await ctx.store.users.get(b.id)).toEqual(b);
    });

    it('rolls back everything fn wrote when it throws, and rethrows', async () => {
      const user = aUser();
      const grant = aGrant();
      await expect(
        ctx.store.transaction(async (tx) => {
          await tx.users.create(user);
          await tx.grants.create(grant);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await ctx.store.users.get(user.id)).toBeUndefined();
      expect(await ctx.store.grants.get(grant.id)).toBeUndefined();
    });

    it('runs atomic operations inside the transaction and rolls them back with it', async () => {
      const grant = await aLiveGrant(ctx.store);
      await ctx.store.grants.create(grant);
      const refresh = aToken(grant);
      await ctx.store.tokens.insert([refresh]);
      const next = successorPair(grant, refresh, T0 + 1);
      await expect(
        ctx.store.transaction(async (tx) => {
          expect((await tx.tokens.rotateRefresh(refresh.hash, next, T0 + 1, 0)).status).toBe('rotated');
          await tx.transaction(async (inner) => inner.grants.revokeGrant(grant.id, T0 + 1));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await ctx.store.tokens.get(refresh.hash))?.rotatedAt).toBeNull();
      expect(await ctx.store.tokens.get(next[1]!.hash)).toBeUndefined();
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBeNull();
    });

    it('serialises 20 concurrent writing transactions without a busy error', async () => {
      const users = Array.from({ length: 20 }, () => aUser());
      await Promise.all(
        users.map((user, i) =>
          (ctx.another && i % 2 ? ctx.another : ctx.store).transaction(async (tx) => {
            await tx.users.create(user);
            await tx.users.update(user.id, { name: `n${i}` }, T0 + i);
          }),
        ),
      );
      for (const [i, user] of users.entries()) expect((await ctx.store.users.get(user.id))?.name).toBe(`n${i}`);
    });
  });
}
