/**
 * `createStore(url)`: opens SQLite or PostgreSQL, migrates to the newest
 * schema (unless `migrate: false`) and returns the Store contract.
 */
import type { Clock } from '@gatehouse-auth/core';
import type { Store } from './types.ts';
import { openPostgres, openSqlite } from './kysely/dialect.ts';
import { buildStore, kyselyOf } from './kysely/store.ts';
import { startWalCheckpointer } from './kysely/wal-checkpointer.ts';
import { walSync } from './kysely/wal-sync.ts';
import { ALREADY_DURABLE, groupCommit, type SubmitTokenWrite } from './kysely/group-commit.ts';
import { applyTokenWrites } from './kysely/token-writes.ts';
import { startTokenWriter } from './kysely/token-writer/client.ts';
import { runMigrations, type MigrationLog } from './migrate.ts';
import { assertSchemaName, parseStoreUrl } from './url.ts';
import { registerPool } from './stats.ts';

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
  /**
   * SQLite file only: where group-committed token writes run. `thread`
   * (default): a writer thread with its own connection, so the event loop
   * never waits for SQLite's B-trees or the fsync; `inline`: the main connection.
   */
  tokenWriter?: 'thread' | 'inline';
}

const schemas = new WeakMap<Store, string | undefined>();
/** Inline token-write batches a SQLite file store commits before it starts its writer thread. */
const THREAD_AFTER_BATCHES = 16;
/** Starts the store's writer thread if it has none yet; its readiness. */
const writers = new WeakMap<Store, () => Promise<boolean>>();

/**
 * Resolves true once the store's token writes run on its writer thread
 * (SQLite file, `tokenWriter: 'thread'`; starting it if the store has not
 * yet), false when they run on the store's own connection (PostgreSQL,
 * `:memory:`, `inline`, or a thread that failed to start). For
 * diagnostics and tests.
 */
export function tokenWriterReady(store: Store): Promise<boolean> {
  return writers.get(store)?.() ?? Promise.resolve(false);
}

export async function createStore(url: string, opts: CreateStoreOptions = {}): Promise<Store> {
  const target = parseStoreUrl(url);
  let store: Store;
  let schema: string | undefined;
  // Token writes are group-committed on every engine; `inline` runs a batch on this store's own connection.
  // The main connection commits under synchronous=FULL (or on PostgreSQL): durable when COMMIT returns.
  const inline = async (writes: Parameters<typeof applyTokenWrites>[1]) => ({ settled: await applyTokenWrites(store, writes), whenDurable: () => ALREADY_DURABLE });
  let submit: SubmitTokenWrite = groupCommit(inline);
  if (target.engine === 'sqlite') {
    const file = target.filename === ':memory:' ? undefined : target.filename;
    const threaded = file !== undefined && opts.tokenWriter !== 'inline';
    const db = openSqlite(target.filename);
    const checkpointer = file === undefined ? undefined : startWalCheckpointer(file);
    // Audit commits and the writer thread's token commits are made durable by a sync off the event loop (wal-sync.ts).
    const wal =
      file === undefined
        ? undefined
        : walSync(file, (error) =>
            opts.log?.('error', 'SQLite WAL sync failed: no write is acknowledged any more; restart the server (SQLite recovers the WAL to its last good frame)', {
              error: error.message,
            }),
          );
    // Started once the store has committed THREAD_AFTER_BATCHES batches inline: a server under load gets
    // there in its first milliseconds, while a CLI command or a script that writes a few tokens never pays
    // for the thread (loading it costs about a second of CPU). Migrations have created the file by then.
    let writer: ReturnType<typeof startTokenWriter> | undefined;
    let closed = false;
    let inlineBatches = 0;
    const threadWriter = () => (closed ? writer : (writer ??= startTokenWriter(file!, inline, wal!)));
    if (threaded) {
      submit = groupCommit((writes) => {
        const thread = writer ?? (++inlineBatches > THREAD_AFTER_BATCHES ? threadWriter() : undefined);
        return thread ? thread.execute(writes) : inline(writes);
      });
    }
    store = buildStore(
      db,
      'sqlite',
      async () => {
        closed = true;
        await writer?.stop();
        await checkpointer?.stop();
        await wal?.close();
        await db.destroy();
      },
      submit,
      { syncWal: wal && (() => wal.sync()) },
    );
    if (threaded) writers.set(store, () => threadWriter()?.ready ?? Promise.resolve(false));
    if (wal) {
      // After a failed WAL sync the store acknowledges nothing (wal-sync.ts): readiness checks must say so.
      const ping = store.ping;
      store.ping = async () => {
        const failure = wal.failure();
        if (failure) throw failure;
        await ping();
      };
    }
  } else {
    schema = opts.schema ?? target.schema;
    if (schema !== undefined) assertSchemaName(schema);
    const { db, pool } = openPostgres(target.connectionString, schema, opts.poolSize, (error) => opts.log?.('warn', 'PostgreSQL connection lost', { error: error.message }));
    if (schema !== undefined) await ensureSchema(pool, schema);
    store = buildStore(db, 'postgres', () => db.destroy(), submit);
    registerPool(store, pool);
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
