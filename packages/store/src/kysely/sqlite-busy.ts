/**
 * Waiting for SQLite's write lock without blocking the event loop.
 * better-sqlite3's busy_timeout waits inside the native call, so a
 * connection on the main thread that finds the lock taken (by the token
 * writer thread, the WAL checkpointer's backstop, or another process)
 * stalls every request meanwhile. A connection opened with busy_timeout=0
 * fails at once with SQLITE_BUSY instead; this wrapper then waits on a
 * timer and runs the statement again.
 *
 * Retrying is safe exactly when no transaction is open: the failed
 * statement was BEGIN IMMEDIATE (which takes the lock up front, before
 * anything is read or written) or a single autocommit statement, and
 * SQLite applied nothing of it. Inside a transaction that already holds
 * the lock, BUSY does not happen; if it ever did, it is thrown as is. A
 * lock still taken after LOCK_WAIT_MS is StoreUnavailableError (HTTP 503).
 */
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { StoreUnavailableError } from '@gatehouse-auth/core';

/** How long a statement waits for the lock in all, as busy_timeout did (ms). */
export const LOCK_WAIT_MS = 5_000;
const FIRST_DELAY_MS = 1;
const MAX_DELAY_MS = 16;

const isBusy = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function waitingForLocks(connection: DatabaseConnection, inTransaction: () => boolean): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const deadline = Date.now() + LOCK_WAIT_MS;
      for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
        try {
          return await connection.executeQuery<R>(query);
        } catch (error) {
          if (!isBusy(error) || inTransaction()) throw error;
          // The lock stayed taken for the whole wait: the database is busy, not broken; the caller may retry (503).
          if (Date.now() + delay > deadline) throw new StoreUnavailableError(error);
          await sleep(delay);
        }
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}
