/** What each per-aggregate store is built from: a Kysely handle (maybe a transaction) and its engine. */
import type { Kysely, Transaction } from 'kysely';
import type { Engine } from './dialect.ts';
import type { Database } from './schema.ts';

export interface Db {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
}

/**
 * Runs `fn` in a transaction, joining the current one when `db` already is
 * one (atomic operations called from inside `store.transaction`).
 */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx: Transaction<Database>) => fn(trx));
}
