import { describe, expect, it } from 'vitest';
import type { Grant, TokenRecord } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { aCode, aGrant, aLiveGrant, aToken, HOUR, successorPair, T0 } from './fixtures.ts';
import { stores } from './grants-codes.ts';
import type { SuiteContext } from './index.ts';

const GRACE = 10_000;

/** A grant with one live refresh token (and its access token) in a new family. */
async function issued(store: Store): Promise<{ grant: Grant; refresh: TokenRecord; access: TokenRecord }> {
  const grant = await aLiveGrant(store);
  await store.grants.create(grant);
  const refresh = aToken(grant);
  const access = aToken(grant, { kind: 'access', familyId: refresh.familyId, expiresAt: T0 + HOUR });
  await store.tokens.insert([access, refresh]);
  return { grant, refresh, access };
}

export function rotationSuite(ctx: SuiteContext): void {
  describe('refresh token rotation (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2)', () => {
    it('inserts and reads back an access + refresh pair', async () => {
      const { refresh, access } = await issued(ctx.store);
      expect(await ctx.store.tokens.get(refresh.hash)).toEqual(refresh);
      expect(await ctx.store.tokens.get(access.hash)).toEqual(access);
      expect(await ctx.store.tokens.get('bm8tc3VjaC10b2tlbg')).toBeUndefined();
    });

    it('rotates a live refresh token: marks it rotated and stores its successors', async () => {
      const { grant, refresh } = await issued(ctx.store);
      const next = successorPair(grant, refresh, T0 + 1000);
      const result = await ctx.store.tokens.rotateRefresh(refresh.hash, next, T0 + 1000, GRACE);
      expect(result).toEqual({ status: 'rotated', previous: { ...refresh, rotatedAt: T0 + 1000 } });
      expect(await ctx.store.tokens.get(next[1]!.hash)).toEqual(next[1]);
      expect((await ctx.store.tokens.get(refresh.hash))?.rotatedAt).toBe(T0 + 1000);
    });

    it('links a successor refresh token to its parent when the caller left parentHash empty', async () => {
      const { grant, refresh } = await issued(ctx.store);
      const next = aToken(grant, { familyId: refresh.familyId, parentHash: null });
      await ctx.store.tokens.rotateRefresh(refresh.hash, [next], T0 + 1, GRACE);
      expect((await ctx.store.tokens.get(next.hash))?.parentHash).toBe(refresh.hash);
    });

    it('answers invalid/not_found for an unknown token, not_refresh for an access token', async () => {
      const { grant, access } = await issued(ctx.store);
      expect(await ctx.store.tokens.rotateRefresh('dW5rbm93bg', [], T0, GRACE)).toEqual({ status: 'invalid', reason: 'not_found' });
      expect(await ctx.store.tokens.rotateRefresh(access.hash, successorPair(grant, access, T0), T0, GRACE)).toEqual({ status: 'invalid', reason: 'not_refresh' });
    });

    it('answers invalid/subject_inactive for a token of a disabled user, and rotates and issues nothing', async () => {
      const { grant, refresh } = await issued(ctx.store);
      await ctx.store.users.setStatus(grant.userId!, 'disabled', T0 + 1);
      const next = successorPair(grant, refresh, T0 + 2);
      expect(await ctx.store.tokens.rotateRefresh(refresh.hash, next, T0 + 2, GRACE)).toEqual({ status: 'invalid', reason: 'subject_inactive' });
      expect(await ctx.store.tokens.get(refresh.hash)).toEqual(refresh);
      expect(await ctx.store.tokens.get(next[1]!.hash)).toBeUndefined();
    });

    it("answers invalid/subject_inactive once the user is no longer a member of the token's org, and again rotates after they rejoin", async () => {
      const { grant, refresh } = await issued(ctx.store);
      await ctx.store.orgs.removeMembership(grant.userId!, grant.orgId!);
      expect(await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 2), T0 + 2, GRACE)).toEqual({ status: 'invalid', reason: 'subject_inactive' });
      await ctx.store.orgs.upsertMembership({ userId: grant.userId!, orgId: grant.orgId!, roles: [], createdAt: T0 + 3, updatedAt: T0 + 3 });
      expect((await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 4), T0 + 4, GRACE)).status).toBe('rotated');
    });

    it('answers invalid/subject_inactive for a token whose user does not exist', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      const refresh = aToken(grant);
      await ctx.store.tokens.insert([refresh]);
      expect(await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 1), T0 + 1, GRACE)).toEqual({ status: 'invalid', reason: 'subject_inactive' });
    });

    it('answers invalid/expired for an expired refresh token and issues nothing', async () => {
      const { grant, refresh } = await issued(ctx.store);
      const next = successorPair(grant, refresh, refresh.expiresAt);
      expect(await ctx.store.tokens.rotateRefresh(refresh.hash, next, refresh.expiresAt, GRACE)).toEqual({ status: 'invalid', reason: 'expired' });
      expect(await ctx.store.tokens.get(next[1]!.hash)).toBeUndefined();
    });

    it('answers invalid/revoked for a revoked refresh token and issues nothing', async () => {
      const { grant, refresh } = await issued(ctx.store);
      await ctx.store.tokens.revoke(refresh.hash, T0 + 1);
      const next = successorPair(grant, refresh, T0 + 2);
      expect(await ctx.store.tokens.rotateRefresh(refresh.hash, next, T0 + 2, GRACE)).toEqual({ status: 'invalid', reason: 'revoked' });
      expect(await ctx.store.tokens.get(next[1]!.hash)).toBeUndefined();
    });

    it('lets the immediate predecessor rotate again within the grace window, revoking nothing', async () => {
      const { grant, refresh } = await issued(ctx.store);
      const first = successorPair(grant, refresh, T0 + 1000);
      await ctx.store.tokens.rotateRefresh(refresh.hash, first, T0 + 1000, GRACE);
      const retry = successorPair(grant, refresh, T0 + 1000 + GRACE);
      const result = await ctx.store.tokens.rotateRefresh(refresh.hash, retry, T0 + 1000 + GRACE, GRACE);
      expect(result.status).toBe('rotated_in_grace');
      expect(await ctx.store.tokens.get(retry[1]!.hash)).toEqual(retry[1]);
      expect((await ctx.store.tokens.get(first[1]!.hash))?.revokedAt).toBeNull();
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBeNull();
    });

    it('treats the predecessor reused 1 ms after the grace window as reuse: grant, tokens and unused codes revoked', async () => {
      const { grant, refresh, access } = await issued(ctx.store);
      const unused = aCode(grant);
      await ctx.store.codes.create(unused);
      const first = successorPair(grant, refresh, T0 + 1000);
      await ctx.store.tokens.rotateRefresh(refresh.hash, first, T0 + 1000, GRACE);
      const late = T0 + 1000 + GRACE + 1;
      const result = await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, late), late, GRACE);
      expect(result.status).toBe('reuse_detected');
      if (result.status !== 'reuse_detected') return;
      expect(result.previous.hash).toBe(refresh.hash);
      expect(result.revokedHashes.sort()).toEqual([access.hash, refresh.hash, first[0]!.hash, first[1]!.hash].sort());
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(late);
      for (const t of [access, refresh, ...first]) expect((await ctx.store.tokens.get(t.hash))?.revokedAt).toBe(late);
      expect(await ctx.store.codes.consume(unused.hash, late)).toEqual({ status: 'not_found' });
    });

    it('never gives the grace to a grandparent: reusing it inside the window is reuse', async () => {
      const { grant, refresh: grandparent } = await issued(ctx.store);
      const parent = successorPair(grant, grandparent, T0 + 1);
      await ctx.store.tokens.rotateRefresh(grandparent.hash, parent, T0 + 1, GRACE);
      const child = successorPair(grant, parent[1]!, T0 + 2);
      expect((await ctx.store.tokens.rotateRefresh(parent[1]!.hash, child, T0 + 2, GRACE)).status).toBe('rotated');
      const result = await ctx.store.tokens.rotateRefresh(grandparent.hash, successorPair(grant, grandparent, T0 + 3), T0 + 3, GRACE);
      expect(result.status).toBe('reuse_detected');
      expect((await ctx.store.tokens.get(child[1]!.hash))?.revokedAt).toBe(T0 + 3);
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(T0 + 3);
    });

    it('with graceMs 0, reuse at the same millisecond is reuse', async () => {
      const { grant, refresh } = await issued(ctx.store);
      await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 5), T0 + 5, 0);
      expect((await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 5), T0 + 5, 0)).status).toBe('reuse_detected');
    });

    it('revokes the family of a grant-less refresh token on reuse', async () => {
      const orphan = aGrant({ userId: null, orgId: null });
      const refresh = aToken(orphan, { grantId: null });
      const sibling = aToken(orphan, { grantId: null, kind: 'access', familyId: refresh.familyId });
      await ctx.store.tokens.insert([refresh, sibling]);
      await ctx.store.tokens.rotateRefresh(refresh.hash, [], T0 + 1, 0);
      const result = await ctx.store.tokens.rotateRefresh(refresh.hash, [], T0 + 2, 0);
      expect(result.status === 'reuse_detected' && result.revokedHashes.sort()).toEqual([refresh.hash, sibling.hash].sort());
    });

    it('of 50 concurrent rotations of one token (graceMs 0): 1 rotated, 1 reuse_detected, 48 invalid/revoked; the grant ends revoked', async () => {
      const { grant, refresh } = await issued(ctx.store);
      const pool = stores(ctx);
      const pairs = Array.from({ length: 50 }, () => successorPair(grant, refresh, T0 + 1));
      const results = await Promise.all(pairs.map((pair, i) => pool[i % pool.length]!.tokens.rotateRefresh(refresh.hash, pair, T0 + 1, 0)));
      const count = (status: string, reason?: string) => results.filter((r) => r.status === status && (reason === undefined || (r.status === 'invalid' && r.reason === reason))).length;
      expect({ rotated: count('rotated'), reuse: count('reuse_detected'), revoked: count('invalid', 'revoked') }).toEqual({ rotated: 1, reuse: 1, revoked: 48 });
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(T0 + 1);
      // The winner's successors were revoked by the reuse too: nothing from this grant stays live.
      const winner = pairs[results.findIndex((r) => r.status === 'rotated')]!;
      for (const t of winner) expect((await ctx.store.tokens.get(t.hash))?.revokedAt).toBe(T0 + 1);
      // Losers' successors were never stored.
      const losers = pairs.filter((_, i) => results[i]!.status !== 'rotated');
      for (const pair of losers) expect(await ctx.store.tokens.get(pair[1]!.hash)).toBeUndefined();
    });

    it('of 50 concurrent rotations inside the grace window: 1 rotated, 1 rotated_in_grace (a parallel refresh), the rest is reuse and the grant ends revoked', async () => {
      const { grant, refresh } = await issued(ctx.store);
      const pool = stores(ctx);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pool[i % pool.length]!.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 1), T0 + 1, GRACE)));
      const count = (status: string) => results.filter((r) => r.status === status).length;
      expect({ rotated: count('rotated'), grace: count('rotated_in_grace'), reuse: count('reuse_detected'), invalid: count('invalid') }).toEqual({ rotated: 1, grace: 1, reuse: 1, invalid: 47 });
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(T0 + 1);
    });

    it('gives the grace once: a third presentation of the predecessor inside the window is reuse', async () => {
      const { grant, refresh } = await issued(ctx.store);
      await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 1), T0 + 1, GRACE);
      expect((await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 2), T0 + 2, GRACE)).status).toBe('rotated_in_grace');
      expect((await ctx.store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 3), T0 + 3, GRACE)).status).toBe('reuse_detected');
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(T0 + 3);
    });

    it('keeps one chain after a grace re-issue: rotating one sibling makes a later use of the other reuse', async () => {
      const { grant, refresh } = await issued(ctx.store);
      const first = successorPair(grant, refresh, T0 + 1);
      const second = successorPair(grant, refresh, T0 + 2);
      await ctx.store.tokens.rotateRefresh(refresh.hash, first, T0 + 1, GRACE);
      expect((await ctx.store.tokens.rotateRefresh(refresh.hash, second, T0 + 2, GRACE)).status).toBe('rotated_in_grace');
      // The client kept the second answer and refreshes with it much later.
      const later = T0 + 10 * GRACE;
      expect((await ctx.store.tokens.rotateRefresh(second[1]!.hash, successorPair(grant, second[1]!, later), later, GRACE)).status).toBe('rotated');
      // Whoever holds the first answer's refresh token now presents it: reuse, everything revoked.
      const result = await ctx.store.tokens.rotateRefresh(first[1]!.hash, successorPair(grant, first[1]!, later + 1), later + 1, GRACE);
      expect(result.status).toBe('reuse_detected');
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(later + 1);
    });
  });
}
