/**
 * Everything that differs between SQLite and PostgreSQL lives here; the
 * per-aggregate stores are engine-neutral.
 *
 * - SQLite: one better-sqlite3 connection (Kysely serialises queries on it),
 *   WAL, busy_timeout, foreign keys, and `BEGIN IMMEDIATE` so a transaction
 *   takes the write lock up front: concurrent writers (other processes on the
 *   same file) wait for it instead of failing with SQLITE_BUSY on upgrade.
 * - PostgreSQL: a pg Pool (postgres-pool.ts: connection loss becomes
 *   StoreUnavailableError, never an unhandled 'error'); int8 parsed to
 *   number; `search_path` set per connection when a schema is given;
 *   `FOR UPDATE` row locks.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.ts';
import { BACKSTOP_PAGES } from './wal-checkpointer.ts';
import { registerRawSqlite } from './raw-sqlite.ts';
import { LOCK_WAIT_MS, waitingForLocks } from './sqlite-busy.ts';
import { classifyingPool, createPostgresPool } from './postgres-pool.ts';

export type Engine = 'sqlite' | 'postgres';

class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly wrap: (connection: DatabaseConnection) => DatabaseConnection,
  ) {
    super(config);
  }
  #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) {
      wrapped = this.wrap(connection);
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly driverConfig: SqliteDialectConfig,
    private readonly wrap: (connection: DatabaseConnection) => DatabaseConnection,
  ) {
    super(driverConfig);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.driverConfig, this.wrap);
  }
}

/**
 * `locks`: how a statement that finds the write lock taken waits for it.
 * `async` (the default, for the main thread): on a timer (sqlite-busy.ts),
 * so the event loop keeps serving; `blocking`: inside SQLite (busy_timeout),
 * for threads that do nothing else (the token writer).
 * `sync`: `normal` only for a connection whose every commit is made durable
 * by a WAL fsync before anything in it is acknowledged (the token writer
 * thread: token-writer/client.ts).
 */
export function openSqlite(filename: string, locks: 'async' | 'blocking' = 'async', sync: 'full' | 'normal' = 'full'): Kysely<Database> {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const database = new BetterSqlite3(filename);
  if (filename !== ':memory:') {
    database.pragma('journal_mode = WAL');
    // Checkpoints normally run in a worker (wal-checkpointer.ts); this one is the backstop.
    database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }
  // FULL: every COMMIT is fsynced before it is acknowledged. Under NORMAL a WAL
  // commit survives a process crash but not power loss, and an acknowledged
  // revocation must never come back to life. Measured cost (bench as): CPU per
  // request unchanged, issuance throughput a few per cent lower from the fsync.
  database.pragma(sync === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  database.pragma(`busy_timeout = ${locks === 'async' ? 0 : LOCK_WAIT_MS}`);
  database.pragma('foreign_keys = ON');
  const wrap = locks === 'async' ? (connection: DatabaseConnection) => waitingForLocks(connection, () => database.inTransaction) : (connection: DatabaseConnection) => connection;
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }, wrap) });
  registerRawSqlite(db, database);
  return db;
}

/**
 * Kysely's SQLite driver calls `prepare(sql)` for every query and
 * better-sqlite3 does not cache: re-parsing the SQL dominated the hot
 * primary-key reads (bench/store.ts). Statements are reused by SQL text;
 * safe because the connection runs one query at a time (Kysely's mutex) and
 * nothing here streams (`iterate`) a statement while another use begins.
 */
function withStatementCache(database: BetterSqlite3.Database, max = 512): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof database.prepare;
  return database;
}

/** `onError`: a pooled connection failed (the database dropped it); the pool replaces it on the next checkout. */
export function openPostgres(connectionString: string, schema: string | undefined, poolSize = 10, onError: (error: Error) => void = () => {}): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = createPostgresPool(connectionString, schema, poolSize, onError);
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: classifyingPool(pool) }) }), pool };
}

/** Which engine a Kysely instance (or transaction) talks to; for migrations that must differ. */
export function engineOf(db: Kysely<any>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Unique or primary-key violation, on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Row lock for read-decide-write sequences. SQLite needs none: BEGIN IMMEDIATE already holds the write lock. */
export function lockForUpdate<QB extends { forUpdate(): QB }>(engine: Engine, query: QB): QB {
  return engine === 'postgres' ? query.forUpdate() : query;
}
