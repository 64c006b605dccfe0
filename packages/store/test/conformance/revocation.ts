import { describe, expect, it } from 'vitest';
import { newId } from '@gatehouse-auth/core';
import { aCode, aGrant, aToken, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function revocationSuite(ctx: SuiteContext): void {
  describe('revocation returns exactly the hashes it revoked', () => {
    it('revokes one token; a second revoke or an unknown hash returns nothing', async () => {
      const grant = aGrant();
      const token = aToken(grant, { kind: 'access' });
      const other = aToken(grant, { kind: 'access', familyId: token.familyId });
      await ctx.store.tokens.insert([token, other]);
      expect(await ctx.store.tokens.revoke(token.hash, T0 + 1)).toEqual([token.hash]);
      expect(await ctx.store.tokens.revoke(token.hash, T0 + 2)).toEqual([]);
      expect(await ctx.store.tokens.revoke('dW5rbm93bg', T0 + 2)).toEqual([]);
      expect((await ctx.store.tokens.get(token.hash))?.revokedAt).toBe(T0 + 1);
      expect((await ctx.store.tokens.get(other.hash))?.revokedAt).toBeNull();
    });

    it('revokes a whole family and nothing outside it', async () => {
      const grant = aGrant();
      const a = aToken(grant);
      const b = aToken(grant, { kind: 'access', familyId: a.familyId });
      const outside = aToken(grant);
      await ctx.store.tokens.insert([a, b, outside]);
      expect((await ctx.store.tokens.revokeFamily(a, T0 + 1)).sort()).toEqual([a.hash, b.hash].sort());
      expect((await ctx.store.tokens.get(outside.hash))?.revokedAt).toBeNull();
    });

    it('revokeGrant revokes the grant, all its tokens and its unused codes, and nothing from another grant', async () => {
      const grant = aGrant();
      const neighbour = aGrant({ userId: grant.userId, orgId: grant.orgId, clientId: grant.clientId });
      await ctx.store.grants.create(grant);
      await ctx.store.grants.create(neighbour);
      const mine = [aToken(grant), aToken(grant, { kind: 'access' }), aToken(grant)];
      const theirs = [aToken(neighbour), aToken(neighbour, { kind: 'access' })];
      await ctx.store.tokens.insert([...mine, ...theirs]);
      const [unused, used, neighbourCode] = [aCode(grant), aCode(grant), aCode(neighbour)];
      for (const code of [unused, used, neighbourCode]) await ctx.store.codes.create(code);
      await ctx.store.codes.consume(used.hash, T0 + 1);

      const result = await ctx.store.grants.revokeGrant(grant.id, T0 + 2);
      expect(result.revoked).toBe(true);
      expect(result.tokenHashes.sort()).toEqual(mine.map((t) => t.hash).sort());
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(T0 + 2);
      expect(await ctx.store.codes.consume(unused.hash, T0 + 3)).toEqual({ status: 'not_found' });
      expect((await ctx.store.codes.consume(used.hash, T0 + 3)).status).toBe('replayed');

      expect((await ctx.store.grants.get(neighbour.id))?.revokedAt).toBeNull();
      for (const t of theirs) expect((await ctx.store.tokens.get(t.hash))?.revokedAt).toBeNull();
      expect((await ctx.store.codes.consume(neighbourCode.hash, T0 + 3)).status).toBe('consumed');
    });

    it('revokeGrant twice: the second reports revoked false and no hashes', async () => {
      const grant = aGrant();
      await ctx.store.grants.create(grant);
      await ctx.store.tokens.insert([aToken(grant)]);
      expect((await ctx.store.grants.revokeGrant(grant.id, T0 + 1)).tokenHashes).toHaveLength(1);
      expect(await ctx.store.grants.revokeGrant(grant.id, T0 + 2)).toEqual({ revoked: false, tokenHashes: [] });
      expect(await ctx.store.grants.revokeGrant('grt_missing', T0 + 2)).toEqual({ revoked: false, tokenHashes: [] });
    });

    it('revokeForUser with an org revokes only that org’s tokens and unused codes of the user', async () => {
      const userId = newId('usr');
      const inAcme = aGrant({ userId, orgId: 'org_acme_' + userId });
      const inGlobex = aGrant({ userId, orgId: 'org_globex_' + userId });
      const someoneElse = aGrant({ orgId: inAcme.orgId });
      const acmeTokens = [aToken(inAcme), aToken(inAcme, { kind: 'access' })];
      const globexToken = aToken(inGlobex);
      const otherUserToken = aToken(someoneElse);
      await ctx.store.tokens.insert([...acmeTokens, globexToken, otherUserToken]);
      const [acmeCode, globexCode] = [aCode(inAcme), aCode(inGlobex)];
      await ctx.store.codes.create(acmeCode);
      await ctx.store.codes.create(globexCode);

      const revoked = await ctx.store.tokens.revokeForUser(userId, T0 + 1, inAcme.orgId!);
      expect(revoked.sort()).toEqual(acmeTokens.map((t) => t.hash).sort());
      expect((await ctx.store.tokens.get(globexToken.hash))?.revokedAt).toBeNull();
      expect((await ctx.store.tokens.get(otherUserToken.hash))?.revokedAt).toBeNull();
      expect(await ctx.store.codes.consume(acmeCode.hash, T0 + 2)).toEqual({ status: 'not_found' });
      expect((await ctx.store.codes.consume(globexCode.hash, T0 + 2)).status).toBe('consumed');
    });

    it('revokeForUser without an org revokes the user’s tokens in every org', async () => {
      const userId = newId('usr');
      const tokens = [aToken(aGrant({ userId })), aToken(aGrant({ userId }))];
      const bystander = aToken(aGrant());
      await ctx.store.tokens.insert([...tokens, bystander]);
      expect((await ctx.store.tokens.revokeForUser(userId, T0 + 1)).sort()).toEqual(tokens.map((t) => t.hash).sort());
      expect((await ctx.store.tokens.get(bystander.hash))?.revokedAt).toBeNull();
    });

    it('revokeForClient revokes every token of the client and its unused codes, and nothing of other clients', async () => {
      const grant = aGrant();
      const tokens = [aToken(grant), aToken(aGrant({ clientId: grant.clientId }), { kind: 'access' })];
      const otherClient = aToken(aGrant());
      await ctx.store.tokens.insert([...tokens, otherClient]);
      const code = aCode(grant);
      await ctx.store.codes.create(code);
      expect((await ctx.store.tokens.revokeForClient(grant.clientId, T0 + 1)).sort()).toEqual(tokens.map((t) => t.hash).sort());
      expect((await ctx.store.tokens.get(otherClient.hash))?.revokedAt).toBeNull();
      expect(await ctx.store.codes.consume(code.hash, T0 + 2)).toEqual({ status: 'not_found' });
    });

    it('purgeExpired deletes tokens that expired before the cut-off and keeps the rest', async () => {
      const store = await ctx.fresh();
      const grant = aGrant();
      const old = aToken(grant, { expiresAt: T0 - 1 });
      const edge = aToken(grant, { expiresAt: T0 });
      const live = aToken(grant, { expiresAt: T0 + 1 });
      await store.tokens.insert([old, edge, live]);
      expect(await store.tokens.purgeExpired(T0)).toBe(1);
      expect(await store.tokens.get(old.hash)).toBeUndefined();
      expect(await store.tokens.get(edge.hash)).toEqual(edge);
      expect(await store.tokens.get(live.hash)).toEqual(live);
    });
  });
}
