/**
 * Test helpers for every package: an isolated store per call (SQLite in a
 * temp dir, or PostgreSQL in a fresh schema dropped by `cleanup`) and the
 * CI-aware PostgreSQL gate: unreachable PostgreSQL fails under CI=true and
 * is skipped loudly elsewhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createStore } from './create-store.ts';
import type { Store } from './types.ts';

export const TEST_POSTGRES_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: Store;
  /** The store's URL (for PostgreSQL, pass `schema` too), to open it again from another process. */
  url: string;
  /** PostgreSQL only: the schema the store lives in. */
  schema?: string;
  /** Closes the store and deletes its data (temp dir or schema). */
  cleanup: () => Promise<void>;
  /** Opens another store on the same database (PostgreSQL only: a second pool, so races cross connections). */
  openAnother: () => Promise<Store>;
}

export async function createTestStore(engine: 'sqlite' | 'postgres', opts: { poolSize?: number } = {}): Promise<TestStore> {
  return engine === 'sqlite' ? createSqliteTestStore() : createPostgresTestStore(opts.poolSize ?? 8);
}

async function createSqliteTestStore(): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-store-'));
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  const store = await createStore(url);
  return {
    store,
    url,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
    openAnother: () => {
      // better-sqlite3 waits for locks synchronously: two connections to one file in one
      // process can block each other's event loop. One store per file per process.
      throw new Error('openAnother is PostgreSQL-only: use one SQLite store per file per process');
    },
  };
}

async function createPostgresTestStore(poolSize: number): Promise<TestStore> {
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  const store = await createStore(TEST_POSTGRES_URL, { schema, poolSize });
  const others: Store[] = [];
  return {
    store,
    url: TEST_POSTGRES_URL,
    schema,
    cleanup: async () => {
      await Promise.all([store, ...others].map((s) => s.close()));
      await dropSchema(schema);
    },
    openAnother: async () => {
      const another = await createStore(TEST_POSTGRES_URL, { schema, poolSize, migrate: false });
      others.push(another);
      return another;
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

let availability: Promise<boolean> | undefined;

/** Whether TEST_POSTGRES_URL answers `select 1` within 3 s (checked once per process). */
export function postgresAvailable(): Promise<boolean> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return availability;
}

/**
 * For `describe.skipIf(!(await requirePostgres('my suite')))`: true when
 * PostgreSQL is reachable; otherwise throws under CI=true (a CI run must
 * never silently skip the production engine) and warns loudly elsewhere.
 */
export async function requirePostgres(suite: string): Promise<boolean> {
  if (await postgresAvailable()) return true;
  if (process.env.CI === 'true') {
    throw new Error(`PostgreSQL at ${redact(TEST_POSTGRES_URL)} is unreachable and CI=true: ${suite} must run`);
  }
  const line = '!'.repeat(72);
  console.warn(`\n${line}\n!! SKIPPING ${suite}: PostgreSQL at ${redact(TEST_POSTGRES_URL)} is unreachable.\n!! Set CI=true to make this a failure.\n${line}\n`);
  return false;
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
export { clientRecord } from './test-records.ts';
