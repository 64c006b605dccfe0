/** What each per-aggregate store is built from: a Kysely handle (maybe a transaction) and its engine. */
import type { Kysely, Transaction } from 'kysely';
import type { Engine } from './dialect.ts';
import type { Database } from './schema.ts';
import { inheritRawSqlite } from './raw-sqlite.ts';

export interface Db {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
}

/**
 * Runs `fn` in a transaction, joining the current one when `db` already is
 * one (atomic operations called from inside `store.transaction`).
 */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute((trx: Transaction<Database>) => {
        inheritRawSqlite(db, trx);
        return fn(trx);
      });
    } catch (error) {
      // Bulk revocations lock many token rows in index order while a rotation
      // holds one: PostgreSQL may pick this transaction as a deadlock victim.
      // It rolled back whole, so running it again is safe.
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}

const MAX_ATTEMPTS = 4;
const isRetryable = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
};
