import { describe, expect, it } from 'vitest';
import { clientDecision } from '@gatehouse-auth/core';
import { aClient, aCode, aGrant, anOrg, aToken, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function clientPoliciesSuite(ctx: SuiteContext): void {
  describe('org client policy (issue 16: client control per org)', () => {
    const orgPair = async () => {
      const [org, other] = [anOrg(), anOrg()];
      await ctx.store.orgs.create(org);
      await ctx.store.orgs.create(other);
      return [org.id, other.id] as const;
    };

    it('an org never configured is open with no rules', async () => {
      const [orgId] = await orgPair();
      expect(await ctx.store.clientPolicies.get(orgId)).toEqual({ orgId, mode: 'open', rules: [] });
    });

    it('keeps the mode and the allow rules of each org apart', async () => {
      const [orgId, otherId] = await orgPair();
      await ctx.store.clientPolicies.setMode(orgId, 'allowlist', T0);
      await ctx.store.clientPolicies.allow(orgId, { kind: 'host', value: 'claude.ai' }, T0);
      await ctx.store.clientPolicies.allow(orgId, { kind: 'client', value: 'cli_ci' }, T0);
      const policy = await ctx.store.clientPolicies.get(orgId);
      expect(policy.mode).toBe('allowlist');
      expect(policy.rules.map((r) => [r.kind, r.value, r.decision])).toEqual([
        ['client', 'cli_ci', 'allow'],
        ['host', 'claude.ai', 'allow'],
      ]);
      expect(clientDecision(policy, 'https://claude.ai/oauth/client.json')).toBe('allowed');
      expect(clientDecision(policy, 'https://evil.example/claude.ai')).toBe('not_allowed');
      expect(await ctx.store.clientPolicies.get(otherId)).toEqual({ orgId: otherId, mode: 'open', rules: [] });
      expect(await ctx.store.clientPolicies.removeRule(orgId, { kind: 'client', value: 'cli_ci' })).toBe(true);
      expect(await ctx.store.clientPolicies.removeRule(orgId, { kind: 'client', value: 'cli_ci' })).toBe(false);
    });

    it('records a pending client once and never turns an existing rule into pending', async () => {
      const [orgId] = await orgPair();
      expect(await ctx.store.clientPolicies.addPending(orgId, 'cli_new', T0)).toBe(true);
      expect(await ctx.store.clientPolicies.addPending(orgId, 'cli_new', T0 + 1)).toBe(false);
      await ctx.store.clientPolicies.block(orgId, { kind: 'client', value: 'cli_bad' }, T0);
      expect(await ctx.store.clientPolicies.addPending(orgId, 'cli_bad', T0 + 1)).toBe(false);
      const rules = (await ctx.store.clientPolicies.get(orgId)).rules;
      expect(rules.map((r) => [r.value, r.decision])).toEqual([
        ['cli_bad', 'block'],
        ['cli_new', 'pending'],
      ]);
    });

    it('block revokes the client grants, tokens and unredeemed codes in that org only', async () => {
      const [orgId, otherId] = await orgPair();
      const clientId = `cli_${orgId}`;
      const grant = aGrant({ orgId, clientId });
      const elsewhere = aGrant({ orgId: otherId, clientId, userId: grant.userId });
      const neighbour = aGrant({ orgId });
      for (const g of [grant, elsewhere, neighbour]) await ctx.store.grants.create(g);
      const mine = [aToken(grant), aToken(grant, { kind: 'access' })];
      const kept = [aToken(elsewhere, { kind: 'access' }), aToken(neighbour, { kind: 'access' })];
      await ctx.store.tokens.insert([...mine, ...kept]);
      const [code, keptCode] = [aCode(grant), aCode(elsewhere)];
      await ctx.store.codes.create(code);
      await ctx.store.codes.create(keptCode);

      const result = await ctx.store.clientPolicies.block(orgId, { kind: 'client', value: clientId }, T0 + 1);
      expect(result.tokenHashes.sort()).toEqual(mine.map((t) => t.hash).sort());
      expect(result.grantIds).toEqual([grant.id]);
      expect((await ctx.store.grants.get(grant.id))?.revokedAt).toBe(T0 + 1);
      expect(await ctx.store.codes.consume(code.hash, T0 + 2)).toEqual({ status: 'not_found' });
      expect((await ctx.store.grants.get(elsewhere.id))?.revokedAt).toBeNull();
      for (const t of kept) expect((await ctx.store.tokens.get(t.hash))?.revokedAt).toBeNull();
      expect((await ctx.store.codes.consume(keptCode.hash, T0 + 2)).status).toBe('consumed');
      expect(clientDecision(await ctx.store.clientPolicies.get(orgId), clientId)).toBe('blocked');
      // A second block finds nothing left to revoke.
      expect((await ctx.store.clientPolicies.block(orgId, { kind: 'client', value: clientId }, T0 + 3)).tokenHashes).toEqual([]);
    });

    it('a host block revokes every known metadata-document client on that host, in that org', async () => {
      const [orgId] = await orgPair();
      const host = `${orgId.toLowerCase().replace(/_/g, '-')}.example`;
      const cimd = aClient({ id: `https://${host}/client.json`, kind: 'metadata_document' });
      const lookalike = aClient({ id: `https://other.example/${host}`, kind: 'metadata_document' });
      await ctx.store.clients.upsert(cimd);
      await ctx.store.clients.upsert(lookalike);
      const [hit, miss] = [aGrant({ orgId, clientId: cimd.id }), aGrant({ orgId, clientId: lookalike.id })];
      await ctx.store.grants.create(hit);
      await ctx.store.grants.create(miss);
      const [hitToken, missToken] = [aToken(hit, { kind: 'access' }), aToken(miss, { kind: 'access' })];
      await ctx.store.tokens.insert([hitToken, missToken]);
      const result = await ctx.store.clientPolicies.block(orgId, { kind: 'host', value: host }, T0 + 1);
      expect(result.clientIds).toEqual([cimd.id]);
      expect(result.tokenHashes).toEqual([hitToken.hash]);
      expect((await ctx.store.tokens.get(missToken.hash))?.revokedAt).toBeNull();
    });

    it('a policy goes with its org', async () => {
      const [orgId] = await orgPair();
      await ctx.store.clientPolicies.setMode(orgId, 'approval', T0);
      await ctx.store.clientPolicies.allow(orgId, { kind: 'client', value: 'cli_x' }, T0);
      expect((await ctx.store.clientPolicies.get(orgId)).mode).toBe('approval');
    });
  });
}

export function clientSecretsSuite(ctx: SuiteContext): void {
  describe('client secret rotation (issue 16)', () => {
    it('rotateSecret makes the current secret the previous one, with the overlap end and the new expiry, in one call', async () => {
      const client = aClient({ secretHash: 'old-hash', tokenEndpointAuthMethod: 'client_secret_basic' });
      await ctx.store.clients.create(client);
      expect((await ctx.store.clients.get(client.id))?.previousSecretHash).toBeUndefined();
      const rotated = await ctx.store.clients.rotateSecret(client.id, 'new-hash', { secretExpiresAt: T0 + 90, previousExpiresAt: T0 + 24 }, T0 + 1);
      expect(rotated).toMatchObject({ secretHash: 'new-hash', secretExpiresAt: T0 + 90, previousSecretHash: 'old-hash', previousSecretExpiresAt: T0 + 24, updatedAt: T0 + 1 });
      expect(await ctx.store.clients.get(client.id)).toEqual(rotated);
      const again = await ctx.store.clients.rotateSecret(client.id, 'third-hash', { secretExpiresAt: null, previousExpiresAt: T0 + 48 }, T0 + 2);
      expect(again).toMatchObject({ secretHash: 'third-hash', previousSecretHash: 'new-hash', previousSecretExpiresAt: T0 + 48 });
      expect(again?.secretExpiresAt).toBeUndefined();
      expect(await ctx.store.clients.rotateSecret('cli_missing', 'x', { secretExpiresAt: null, previousExpiresAt: T0 }, T0)).toBeUndefined();
    });
  });
}
