import { describe, expect, it } from 'vitest';
import { DuplicateError } from '@gatehouse-auth/store';
import { aClient, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function clientsSuite(ctx: SuiteContext): void {
  describe('clients', () => {
    it('round-trips every field of a client', async () => {
      const client = aClient({
        kind: 'service',
        tokenEndpointAuthMethod: 'client_secret_basic',
        secretHash: 'c2VjcmV0LWhhc2g',
        applicationType: 'native',
        logoUri: 'https://example.com/logo.png',
        policyUri: 'https://example.com/policy',
        tosUri: 'https://example.com/tos',
        scope: 'tickets:read finance:read',
        orgId: 'org_acme',
        roles: ['Finance'],
        resourceServerFor: ['https://mcp.example.com/mcp', 'https://hr.example.com/mcp'],
        metadataExpiresAt: T0 + 86_400_000,
      });
      await ctx.store.clients.create(client);
      expect(await ctx.store.clients.get(client.id)).toEqual(client);
    });

    it('rejects creating a client whose id exists with DuplicateError and keeps the original', async () => {
      const client = aClient();
      await ctx.store.clients.create(client);
      await expect(ctx.store.clients.create({ ...client, name: 'Impostor' })).rejects.toBeInstanceOf(DuplicateError);
      expect((await ctx.store.clients.get(client.id))?.name).toBe('Claude');
    });

    it('upsert inserts, then replaces every field except createdAt', async () => {
      const client = aClient({ kind: 'metadata_document', id: 'https://client.example.com/oauth/metadata.json' + Math.random() });
      await ctx.store.clients.upsert(client);
      expect(await ctx.store.clients.get(client.id)).toEqual(client);
      const refreshed = { ...client, name: 'Renamed', redirectUris: ['https://client.example.com/cb'], resourceServerFor: ['https://mcp.example.com/mcp'], createdAt: T0 + 100, updatedAt: T0 + 100 };
      await ctx.store.clients.upsert(refreshed);
      expect(await ctx.store.clients.get(client.id)).toEqual({ ...refreshed, createdAt: T0 });
    });

    it('disables a client and deletes it', async () => {
      const client = aClient();
      await ctx.store.clients.create(client);
      expect(await ctx.store.clients.setStatus(client.id, 'disabled', T0 + 1)).toEqual({ ...client, status: 'disabled', updatedAt: T0 + 1 });
      expect(await ctx.store.clients.setStatus('cli_missing', 'disabled', T0)).toBeUndefined();
      expect(await ctx.store.clients.delete(client.id)).toBe(true);
      expect(await ctx.store.clients.delete(client.id)).toBe(false);
      expect(await ctx.store.clients.get(client.id)).toBeUndefined();
    });

    it('lists clients', async () => {
      const store = await ctx.fresh();
      const clients = [aClient({ createdAt: T0 }), aClient({ createdAt: T0 + 1 })];
      for (const c of clients) await store.clients.create(c);
      expect(await store.clients.list()).toEqual(clients);
    });
  });
}
