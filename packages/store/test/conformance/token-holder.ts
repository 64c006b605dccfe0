import { describe, expect, it } from 'vitest';
import { aClient, aGrant, anOrg, aToken, aUser, HOUR, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function tokenHolderSuite(ctx: SuiteContext): void {
  describe('tokens.getWithHolder reads what introspection decides on in one read', () => {
    it('returns the token with its grant, user, membership and client, each as its own read returns it', async () => {
      const [user, org] = [aUser(), anOrg()];
      await ctx.store.users.create(user);
      await ctx.store.orgs.create(org);
      await ctx.store.orgs.upsertMembership({ userId: user.id, orgId: org.id, roles: ['Support', 'Admin'], createdAt: T0, updatedAt: T0 });
      const client = aClient({ orgId: org.id, roles: ['Agent'] });
      await ctx.store.clients.create(client);
      const grant = aGrant({ userId: user.id, orgId: org.id, clientId: client.id, expiresAt: T0 + 9 * HOUR, scopeExpiresAt: { 'finance:read': T0 + HOUR } });
      await ctx.store.grants.create(grant);
      const token = aToken(grant, { kind: 'access' });
      await ctx.store.tokens.insert([token]);

      const found = await ctx.store.tokens.getWithHolder(token.hash);
      expect(found?.token).toEqual(await ctx.store.tokens.get(token.hash));
      expect(found?.grant).toEqual(await ctx.store.grants.get(grant.id));
      expect(found?.grant?.scopeExpiresAt).toEqual({ 'finance:read': T0 + HOUR });
      expect(found?.user).toEqual({ status: 'active', email: user.email });
      expect(found?.membership).toEqual({ roles: ['Support', 'Admin'] });
      expect(found?.client).toEqual({ status: 'active', orgId: org.id, roles: ['Agent'] });
    });

    it('a service token has no user or membership; its client is there', async () => {
      const org = anOrg();
      await ctx.store.orgs.create(org);
      const client = aClient({ orgId: org.id, roles: ['Support'], status: 'disabled' });
      await ctx.store.clients.create(client);
      const token = aToken(aGrant({ userId: null, orgId: org.id, clientId: client.id }), { kind: 'access', grantId: null });

      await ctx.store.tokens.insert([token]);
      const found = await ctx.store.tokens.getWithHolder(token.hash);
      expect(found).toEqual({ token: await ctx.store.tokens.get(token.hash), client: { status: 'disabled', orgId: org.id, roles: ['Support'] } });
    });

    it('a grant, user, membership or client that is gone reads as absent; an unknown hash as undefined', async () => {
      const user = aUser({ status: 'disabled' });
      await ctx.store.users.create(user);
      // No grant row, no membership of the token's org, no client row.
      const token = aToken(aGrant({ userId: user.id }), { kind: 'access' });
      await ctx.store.tokens.insert([token]);

      expect(await ctx.store.tokens.getWithHolder(token.hash)).toEqual({ token: await ctx.store.tokens.get(token.hash), user: { status: 'disabled', email: user.email } });
      expect(await ctx.store.tokens.getWithHolder('dW5rbm93bg')).toBeUndefined();
    });

    it('a membership of another org is not the token org’s membership', async () => {
      const [user, org, other] = [aUser(), anOrg(), anOrg()];
      await ctx.store.users.create(user);
      await ctx.store.orgs.create(org);
      await ctx.store.orgs.create(other);
      await ctx.store.orgs.upsertMembership({ userId: user.id, orgId: other.id, roles: ['Admin'], createdAt: T0, updatedAt: T0 });
      const token = aToken(aGrant({ userId: user.id, orgId: org.id }), { kind: 'access' });
      await ctx.store.tokens.insert([token]);

      expect((await ctx.store.tokens.getWithHolder(token.hash))?.membership).toBeUndefined();
    });
  });
}
