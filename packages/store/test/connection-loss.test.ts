/**
 * Issue 10: a PostgreSQL store whose connections are terminated (failover,
 * pooler restart) raises StoreUnavailableError for the operations that were
 * cut off, never an unhandled 'error' event, and serves the next operation
 * on a fresh connection. The classifier tells a lost connection from a
 * query the database rejected. On SQLite, a write lock that stays taken
 * longer than the store waits is the same error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { StoreUnavailableError } from '@gatehouse-auth/core';
import { createStore, isConnectionFailure, kyselyOf } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, TEST_POSTGRES_URL, type TestStore } from '@gatehouse-auth/store/testing';

const available = await requirePostgres('@gatehouse-auth/store connection loss');

describe('isConnectionFailure', () => {
  it('recognises lost and refused connections, not rejected queries', () => {
    const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const lost of [
      coded('57P01'),
      coded('08006'),
      coded('ECONNREFUSED'),
      coded('53300'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]),
    ]) {
      expect(isConnectionFailure(lost), lost.message).toBe(true);
    }
    for (const rejected of [coded('23505'), coded('40001'), coded('42P01'), new Error('duplicate key'), 'not an error']) {
      expect(isConnectionFailure(rejected)).toBe(false);
    }
  });
});

describe.skipIf(!available)('PostgreSQL store when its connections are terminated', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore('postgres', { poolSize: 4 });
  });
  afterAll(() => t.cleanup());

  it('a statement whose connection is terminated rejects with StoreUnavailableError; the next one succeeds', async () => {
    const { db } = kyselyOf(t.store);
    const error = await sql`SELECT pg_terminate_backend(pg_backend_pid())`.execute(db).catch((e: unknown) => e);
    expect(StoreUnavailableError.is(error)).toBe(true);
    expect(await t.store.roles.list()).toEqual([]);
  });

  it('a connection dropped inside a transaction, between two statements, fails that transaction only (no unhandled error event)', async () => {
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      const outcome = await t.store
        .transaction(async (tx) => {
          const { db } = kyselyOf(tx);
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          // The connection is checked out and idle when the server drops it: pg emits 'error' on the client now.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.roles.upsert({ name: 'Lost', description: '', permissions: [] });
        })
        .catch((e: unknown) => e);
      expect(StoreUnavailableError.is(outcome)).toBe(true);
    } finally {
      await admin.end();
    }
    expect(await t.store.roles.get('Lost')).toBeUndefined();
    await t.store.roles.upsert({ name: 'Kept', description: '', permissions: [] });
    expect(await t.store.roles.get('Kept')).toBeDefined();
  });

  it('a database that refuses connections fails operations with StoreUnavailableError instead of hanging', async () => {
    const refused = new URL(TEST_POSTGRES_URL);
    refused.port = '1';
    const unreachable = await createStore(refused.toString(), { migrate: false });
    try {
      const error = await unreachable.roles.list().catch((e: unknown) => e);
      expect(StoreUnavailableError.is(error)).toBe(true);
      // What a readiness check asks.
      expect(StoreUnavailableError.is(await unreachable.ping().catch((e: unknown) => e))).toBe(true);
      await expect(t.store.ping()).resolves.toBeUndefined();
    } finally {
      await unreachable.close();
    }
  });
});

describe('SQLite store when the write lock stays taken', () => {
  it('a write that cannot get the lock within the wait rejects with StoreUnavailableError; once the lock is free, writes go through', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-busy-'));
    const file = join(dir, 'g.db');
    const store = await createStore(`sqlite:${file}`, { tokenWriter: 'inline' });
    // Another process holding the write lock (a long migration, a stuck writer).
    const other = new BetterSqlite3(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const error = await store.roles.upsert({ name: 'Busy', description: '', permissions: [] }).catch((e: unknown) => e);
      expect(StoreUnavailableError.is(error)).toBe(true);
      other.exec('ROLLBACK');
      await store.roles.upsert({ name: 'Free', description: '', permissions: [] });
      expect((await store.roles.list()).map((role) => role.name)).toEqual(['Free']);
    } finally {
      other.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
