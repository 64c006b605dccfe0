import { describe, expect, it } from 'vitest';
import { createStore } from '@gatehouse/store';
import { createTestStore, requirePostgres, TEST_POSTGRES_URL } from '@gatehouse/store/testing';
import { defineStoreConformance } from './conformance/index.ts';

const available = await requirePostgres('@gatehouse/store PostgreSQL conformance');

describe.skipIf(!available)('PostgreSQL', () => {
  // Two pools of 8 connections each on one schema: the races in the suite cross connections and pools.
  defineStoreConformance('PostgreSQL', () => createTestStore('postgres', { poolSize: 8 }), { crossConnection: true });

  describe('PostgreSQL engine', () => {
    it('isolates schemas: data written in one is invisible in another', async () => {
      const [a, b] = [await createTestStore('postgres'), await createTestStore('postgres')];
      try {
        await a.store.roles.upsert({ name: 'OnlyInA', description: '', permissions: [] });
        expect(await a.store.roles.get('OnlyInA')).toBeDefined();
        expect(await b.store.roles.get('OnlyInA')).toBeUndefined();
      } finally {
        await Promise.all([a.cleanup(), b.cleanup()]);
      }
    });

    it('rejects a schema name that is not a plain identifier', async () => {
      await expect(createStore(TEST_POSTGRES_URL, { schema: 'x; drop table users' })).rejects.toThrow(/invalid PostgreSQL schema/);
    });
  });
});
