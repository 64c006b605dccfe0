import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createStore, migrateToLatest, migrations } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, TEST_POSTGRES_URL } from '@gatehouse-auth/store/testing';
import { defineStoreConformance } from './conformance/index.ts';

const available = await requirePostgres('@gatehouse-auth/store PostgreSQL conformance');

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

    it('migrates once when four stores (four pools) open a new schema at the same moment', async () => {
      const schema = `gh_test_${randomBytes(6).toString('hex')}`;
      const stores = await Promise.all(Array.from({ length: 4 }, () => createStore(`${TEST_POSTGRES_URL}?schema=${schema}`, { poolSize: 2 })));
      try {
        expect(await migrateToLatest(stores[0]!)).toEqual([]);
        const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await client.connect();
        const applied = await client.query(`select name from "${schema}".kysely_migration order by name`);
        await client.end();
        expect(applied.rows.map((r: { name: string }) => r.name)).toEqual(migrations.map((m) => m.name));
        await stores[1]!.roles.upsert({ name: 'Seen', description: '', permissions: [] });
        expect(await stores[3]!.roles.get('Seen')).toBeDefined();
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
    });

    it('rejects a schema name that is not a plain identifier', async () => {
      await expect(createStore(TEST_POSTGRES_URL, { schema: 'x; drop table users' })).rejects.toThrow(/invalid PostgreSQL schema/);
    });
  });
});
