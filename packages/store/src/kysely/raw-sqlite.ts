/**
 * Which better-sqlite3 connection stands behind a Kysely handle (the root
 * instance, or a transaction opened on it), for hot queries that skip
 * Kysely's executor (prepared.ts). Handles without an entry (PostgreSQL,
 * transactions opened elsewhere) simply take Kysely's path.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';

const connections = new WeakMap<Kysely<any>, BetterSqlite3.Database>();

export function registerRawSqlite(db: Kysely<any>, raw: BetterSqlite3.Database): void {
  connections.set(db, raw);
}

/** A transaction opened on `root` runs on root's connection. */
export function inheritRawSqlite(root: Kysely<any>, trx: Kysely<any>): void {
  const raw = connections.get(root);
  if (raw) connections.set(trx, raw);
}

/**
 * The connection a query on `db` may run on synchronously, or undefined
 * when it must queue behind Kysely's connection lock:
 * - inside a transaction, the transaction owns the connection and runs one
 *   query at a time, so running directly is what Kysely would do;
 * - outside one, only while no transaction is open on the connection
 *   (another caller's, between two of its awaits): a single synchronous
 *   statement then cannot see or interleave with anyone's uncommitted work.
 */
export function rawSqliteFor(db: Kysely<any>): BetterSqlite3.Database | undefined {
  const raw = connections.get(db);
  if (!raw) return undefined;
  return db.isTransaction || !raw.inTransaction ? raw : undefined;
}

/**
 * The connection behind `db` whatever its state, for a caller that holds
 * that connection itself (inside its own BEGIN … COMMIT on it, as the
 * audit store's SQLite write transaction does).
 */
export function rawSqliteOf(db: Kysely<any>): BetterSqlite3.Database | undefined {
  return connections.get(db);
}
