import { describe, expect, it } from 'vitest';
import { createStore, kyselyOf, migrations } from '@gatehouse-auth/store';

describe('migration 0006: no login counter keyed by what was typed survives (issue 10 #11)', () => {
  it('deletes login:account:<typed> rows and keeps every other counter', async () => {
    const store = await createStore('sqlite::memory:');
    try {
      const now = Date.now();
      await store.rateLimits.hit('login:account:Correct-Horse-9', 60_000, now);
      await store.rateLimits.hit('login:account:alice@acme.test', 60_000, now);
      await store.rateLimits.hit('login:ip:203.0.113.7', 60_000, now);
      await store.rateLimits.hit('register:203.0.113.0/24', 60_000, now);
      const migration = migrations.find((m) => m.name === '0006_rate_limit_raw_keys');
      const { db } = kyselyOf(store);
      await migration!.migration.up(db);
      const keys = (await db.selectFrom('rate_limits').select('key').execute()).map((row) => row.key).sort();
      expect(keys).toEqual(['login:ip:203.0.113.7', 'register:203.0.113.0/24']);
    } finally {
      await store.close();
    }
  });
});
