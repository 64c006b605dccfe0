import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { createStore, kyselyOf, migrateToLatest, migrations, tokenWriterReady } from '@gatehouse-auth/store';
import { createTestStore } from '@gatehouse-auth/store/testing';
import { defineStoreConformance } from './conformance/index.ts';

/** The suite's token writes must take the writer thread, not the inline fallback of its first second. */
async function withWriterThread() {
  const test = await createTestStore('sqlite');
  if (!(await tokenWriterReady(test.store))) throw new Error('the token writer thread did not start');
  return test;
}

defineStoreConformance('SQLite file, token writer thread', withWriterThread, { crossConnection: false });

describe('SQLite engine', () => {
  it('opens sqlite::memory: with the schema migrated', async () => {
    const store = await createStore('sqlite::memory:');
    expect(store.engine).toBe('sqlite');
    expect(await store.settings.getSignupPolicy()).toEqual({ publicSignup: false, allowedEmailDomains: [] });
    expect(await migrateToLatest(store)).toEqual([]);
    await store.close();
  });

  it('migrates a new file by URL, reports each migration once, and keeps data across reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-migrate-'));
    try {
      const url = `sqlite:${join(dir, 'nested', 'gh.db')}`;
      expect(await migrateToLatest(url)).toEqual(migrations.map((m) => m.name));
      expect(await migrateToLatest(url)).toEqual([]);
      const store = await createStore(url);
      await store.roles.upsert({ name: 'Support', description: '', permissions: [] });
      await store.close();
      const reopened = await createStore(url, { migrate: false });
      expect(await reopened.roles.get('Support')).toBeDefined();
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fsyncs every commit (synchronous=FULL in WAL mode), so an acknowledged revocation survives power loss', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-sync-'));
    const store = await createStore(`sqlite:${join(dir, 'g.sqlite')}`);
    try {
      const { db } = kyselyOf(store);
      const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
      const synchronous = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db);
      expect(journal.rows[0]?.journal_mode).toBe('wal');
      expect(synchronous.rows[0]?.synchronous).toBe(2); // 2 = FULL, 1 = NORMAL
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('waits for a write lock held by another connection on a timer, so the event loop keeps running, then writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-lock-'));
    const file = join(dir, 'g.sqlite');
    const store = await createStore(`sqlite:${file}`, { tokenWriter: 'inline' });
    const other = new BetterSqlite3(file);
    try {
      other.exec('begin immediate');
      const write = store.roles.upsert({ name: 'Waiter', description: '', permissions: [] });
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 5);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ticksWhileLocked = ticks;
      other.exec('commit');
      await write;
      clearInterval(ticker);
      // A blocking busy wait would have frozen this thread: no tick, and the holder could never commit.
      expect(ticksWhileLocked).toBeGreaterThan(0);
      expect(await store.roles.get('Waiter')).toBeDefined();
    } finally {
      other.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unsupported URL scheme', async () => {
    await expect(createStore('mysql://localhost/db')).rejects.toThrow(/unsupported store URL/);
  });
});
