import { describe, expect, it } from 'vitest';
import type { Store } from '@gatehouse-auth/store';
import { aCode, aGrant, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

/** Alternates callers between the two stores when there are two, so races cross connections and pools. */
export const stores = (ctx: SuiteContext): Store[] => (ctx.another ? [ctx.store, ctx.another] : [ctx.store]);

export function grantsAndCodesSuite(ctx: SuiteContext): void {
  describe('grants', () => {
    it('creates a grant and reads it back with its per-scope consent times', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      expect(await ctx.store.grants.get(grant.id)).toEqual(grant);
    });

    it('finds the active grant for user × org × client × resource, including null user and org', async () => {
      const grant = aGrant();
      const service = aGrant({ userId: null, orgId: null, clientId: grant.clientId });
      await ctx.store.grants.create(grant);
      await ctx.store.grants.create(service);
      const key = { userId: grant.userId, orgId: grant.orgId, clientId: grant.clientId, resource: grant.resource };
      expect((await ctx.store.grants.findActive(key))?.id).toBe(grant.id);
      expect((await ctx.store.grants.findActive({ ...key, userId: null, orgId: null }))?.id).toBe(service.id);
      expect(await ctx.store.grants.findActive({ ...key, orgId: 'org_other' })).toBeUndefined();
      expect(await ctx.store.grants.findActive({ ...key, resource: 'https://other.example.com/mcp' })).toBeUndefined();
    });

    it('does not return a revoked grant as active', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      await ctx.store.grants.revokeGrant(grant.id, T0 + 1);
      expect(await ctx.store.grants.findActive({ userId: grant.userId, orgId: grant.orgId, clientId: grant.clientId, resource: grant.resource })).toBeUndefined();
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(T0 + 1);
    });

    it('lists the grants of a user', async () => {
      const first = aGrant();
      const second = aGrant({ userId: first.userId, createdAt: T0 + 1 });
      await ctx.store.grants.create(first);
      await ctx.store.grants.create(second);
      await ctx.store.grants.create(aGrant());
      expect((await ctx.store.grants.listForUser(first.userId!)).map((g) => g.id)).toEqual([first.id, second.id]);
    });

    it('updates scopes and consent times', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      const updated = await ctx.store.grants.updateScopes(grant.id, ['tickets:read'], { 'tickets:read': T0 + 5 }, T0 + 5);
      expect(updated).toEqual({ ...grant, scopes: ['tickets:read'], scopeConsentedAt: { 'tickets:read': T0 + 5 }, updatedAt: T0 + 5 });
      expect(await ctx.store.grants.updateScopes('grt_missing', [], {}, T0)).toBeUndefined();
    });

    it('grant lifetimes: a grant keeps its absolute end and per-scope ends, and a new consent replaces them', async () => {
      const grant = aGrant({ expiresAt: T0 + 90_000, scopeExpiresAt: { 'finance:read': T0 + 3_600 } });
      await ctx.store.grants.create(grant);
      expect(await ctx.store.grants.get(grant.id)).toEqual(grant);
      const renewed = await ctx.store.grants.updateScopes(grant.id, ['tickets:read'], { 'tickets:read': T0 + 5 }, T0 + 5, { expiresAt: T0 + 180_000, scopeExpiresAt: {} });
      expect(renewed).toMatchObject({ expiresAt: T0 + 180_000, scopeExpiresAt: {} });
      // Without a lifetime the consent update leaves the ends alone.
      const kept = await ctx.store.grants.updateScopes(grant.id, ['tickets:read'], { 'tickets:read': T0 + 6 }, T0 + 6);
      expect(kept?.expiresAt).toBe(T0 + 180_000);
    });

    it('grant lifetimes: an operator limits a grant or one of its scopes', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      const limited = await ctx.store.grants.setLifetime(grant.id, { expiresAt: T0 + 7_000, scopeExpiresAt: { 'finance:read': T0 + 60 } }, T0 + 1);
      expect(limited).toEqual({ ...grant, expiresAt: T0 + 7_000, scopeExpiresAt: { 'finance:read': T0 + 60 }, updatedAt: T0 + 1 });
      expect(await ctx.store.grants.get(grant.id)).toEqual(limited);
      expect(await ctx.store.grants.setLifetime('grt_missing', { expiresAt: null, scopeExpiresAt: {} }, T0)).toBeUndefined();
    });
  });

  describe('authorization codes (OAuth 2.1 §4.1.3: a code is redeemed once)', () => {
    it('consumes a code once and returns it with consumedAt set', async () => {
      const grant = aGrant();
      const code = aCode(grant);
      await ctx.store.codes.create(code);
      expect(await ctx.store.codes.consume(code.hash, T0 + 10)).toEqual({ status: 'consumed', code: { ...code, consumedAt: T0 + 10 } });
    });

    it('reports a second redemption as replayed, with the code so its grant can be revoked', async () => {
      const grant = aGrant();
      const code = aCode(grant);
      await ctx.store.codes.create(code);
      await ctx.store.codes.consume(code.hash, T0 + 10);
      expect(await ctx.store.codes.consume(code.hash, T0 + 20)).toEqual({ status: 'replayed', code: { ...code, consumedAt: T0 + 10 } });
    });

    it('reports an unknown code as not_found', async () => {
      expect(await ctx.store.codes.consume('bm8tc3VjaC1jb2Rl', T0)).toEqual({ status: 'not_found' });
    });

    it('gives exactly one of 50 concurrent redemptions of one code `consumed`, the other 49 `replayed`', async () => {
      const code = aCode(aGrant());
      await ctx.store.codes.create(code);
      const pool = stores(ctx);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pool[i % pool.length]!.codes.consume(code.hash, T0 + i)));
      const consumed = results.filter((r) => r.status === 'consumed');
      expect(consumed).toHaveLength(1);
      expect(results.filter((r) => r.status === 'replayed')).toHaveLength(49);
      // Every replay sees the winner's consumption time.
      const winnerAt = consumed[0]!.status === 'consumed' ? consumed[0]!.code.consumedAt : null;
      for (const r of results) if (r.status === 'replayed') expect(r.code.consumedAt).toBe(winnerAt);
    });
  });
}
