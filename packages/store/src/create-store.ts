/**
 * `createStore(url)`: opens SQLite or PostgreSQL, migrates to the newest
 * schema (unless `migrate: false`) and returns the Store contract.
 */
import type { Clock } from '@gatehouse/core';
import type { Store } from './types.ts';
import { openPostgres, openSqlite } from './kysely/dialect.ts';
import { buildStore, kyselyOf } from './kysely/store.ts';
import { startWalCheckpointer } from './kysely/wal-checkpointer.ts';
import { runMigrations, type MigrationLog } from './migrate.ts';
import { assertSchemaName, parseStoreUrl } from './url.ts';

export interface CreateStoreOptions {
  /** Reserved for stores that stamp times themselves; every operation takes `now` explicitly today. */
  clock?: Clock;
  /** Receives migration progress; never given secrets. */
  log?: MigrationLog;
  /** Run pending migrations on open. Default true. */
  migrate?: boolean;
  /** PostgreSQL schema (created if missing), set as `search_path` on every pooled connection. Overrides `?schema=`. */
  schema?: string;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
}

const schemas = new WeakMap<Store, string | undefined>();

export async function createStore(url: string, opts: CreateStoreOptions = {}): Promise<Store> {
  const target = parseStoreUrl(url);
  let store: Store;
  let schema: string | undefined;
  if (target.engine === 'sqlite') {
    const db = openSqlite(target.filename);
    const checkpointer = target.filename === ':memory:' ? undefined : startWalCheckpointer(target.filename);
    store = buildStore(db, 'sqlite', async () => {
      await checkpointer?.stop();
      await db.destroy();
    });
  } else {
    schema = opts.schema ?? target.schema;
    if (schema !== undefined) assertSchemaName(schema);
    const { db, pool } = openPostgres(target.connectionString, schema, opts.poolSize, (error) =>
      opts.log?.('warn', 'idle PostgreSQL connection failed', { error: error.message }),
    );
    if (schema !== undefined) await ensureSchema(pool, schema);
    store = buildStore(db, 'postgres', () => db.destroy());
  }
  schemas.set(store, schema);
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(store, opts);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/** Migrates an open store, or opens the URL, migrates and closes it. Returns the migrations applied. */
export async function migrateToLatest(target: Store | string, opts: Pick<CreateStoreOptions, 'log' | 'schema'> = {}): Promise<string[]> {
  if (typeof target === 'string') {
    const store = await createStore(target, { ...opts, migrate: false });
    try {
      return await migrateToLatest(store, opts);
    } finally {
      await store.close();
    }
  }
  const { db, engine } = kyselyOf(target);
  return runMigrations(db, engine, schemas.get(target), opts.log);
}

async function ensureSchema(pool: { query(text: string): Promise<unknown> }, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // Two processes creating the same schema at once: the loser sees a duplicate, which is fine.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}
