import { describe, expect, it } from 'vitest';
import { aGrant, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';
import { stores } from './grants-codes.ts';

/** Grants that end by themselves: what the expiry sweep finds, and each end taken exactly once across connections and processes. */
export function grantExpirySuite(ctx: SuiteContext): void {
  const idsDue = async (now: number, ids: string[]) => (await ctx.store.grants.endingBy(now, 1_000)).map((g) => g.id).filter((id) => ids.includes(id));

  describe('grant expiry (issue 16: time-boxed access ends by itself, recorded once)', () => {
    it("lists a live grant once its own end or a held scope's end has come, and not before", async () => {
      const ends = aGrant({ expiresAt: T0 + 100 });
      const scopeEnds = aGrant({ expiresAt: T0 + 10_000, scopeExpiresAt: { 'finance:read': T0 + 50 } });
      const never = aGrant();
      for (const g of [ends, scopeEnds, never]) await ctx.store.grants.create(g);
      const ids = [ends.id, scopeEnds.id, never.id];
      expect(await idsDue(T0 + 49, ids)).toEqual([]);
      expect(await idsDue(T0 + 50, ids)).toEqual([scopeEnds.id]);
      expect(await idsDue(T0 + 100, ids)).toEqual([scopeEnds.id, ends.id]);
    });

    it('does not list a revoked grant, nor one whose ended scope has been taken out (until its next end)', async () => {
      const revoked = aGrant({ expiresAt: T0 + 100 });
      const timeBoxed = aGrant({ expiresAt: T0 + 10_000, scopeExpiresAt: { 'finance:read': T0 + 50 } });
      for (const g of [revoked, timeBoxed]) await ctx.store.grants.create(g);
      await ctx.store.grants.revokeGrant(revoked.id, T0 + 1);
      const dropped = await ctx.store.grants.dropEndedScopes(timeBoxed.id, T0 + 60);
      expect(dropped?.scopes).toEqual(['finance:read']);
      expect(dropped?.grant.scopes).toEqual(['tickets:read']);
      expect(dropped?.grant.scopeExpiresAt).toEqual({ 'finance:read': T0 + 50 });
      expect(dropped?.grant.scopeConsentedAt).toEqual({ 'tickets:read': T0 });
      expect(await idsDue(T0 + 9_999, [revoked.id, timeBoxed.id])).toEqual([]);
      expect(await idsDue(T0 + 10_000, [revoked.id, timeBoxed.id])).toEqual([timeBoxed.id]);
    });

    it('picks up an end set later by an operator (setLifetime) and a new consent that moves it (updateScopes)', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      await ctx.store.grants.setLifetime(grant.id, { expiresAt: null, scopeExpiresAt: { 'tickets:read': T0 + 30 } }, T0 + 1);
      expect(await idsDue(T0 + 30, [grant.id])).toEqual([grant.id]);
      await ctx.store.grants.updateScopes(grant.id, ['finance:read'], { 'finance:read': T0 + 2 }, T0 + 2, { expiresAt: T0 + 500, scopeExpiresAt: { 'tickets:read': T0 + 30 } });
      expect(await idsDue(T0 + 499, [grant.id])).toEqual([]);
      expect(await idsDue(T0 + 500, [grant.id])).toEqual([grant.id]);
    });

    it('gives the ended scopes to exactly one of many concurrent callers over two connections', async () => {
      const grant = aGrant({ scopeExpiresAt: { 'finance:read': T0 + 50 } });
      await ctx.store.grants.create(grant);
      const callers = stores(ctx);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => callers[i % callers.length]!.grants.dropEndedScopes(grant.id, T0 + 60)));
      expect(results.filter((r) => r !== undefined).map((r) => r!.scopes)).toEqual([['finance:read']]);
      expect((await ctx.store.grants.get(grant.id))?.scopes).toEqual(['tickets:read']);
    });

    it('gives nothing for a revoked grant or before a scope has ended', async () => {
      const grant = aGrant({ scopeExpiresAt: { 'finance:read': T0 + 50 } });
      await ctx.store.grants.create(grant);
      expect(await ctx.store.grants.dropEndedScopes(grant.id, T0 + 49)).toBeUndefined();
      await ctx.store.grants.revokeGrant(grant.id, T0 + 1);
      expect(await ctx.store.grants.dropEndedScopes(grant.id, T0 + 60)).toBeUndefined();
    });
  });
}
