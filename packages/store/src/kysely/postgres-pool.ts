/**
 * The pg Pool behind a PostgreSQL store, made safe for a database that goes
 * away (failover, pooler restart, pg_terminate_backend):
 *
 * - Every client has an 'error' listener for its whole life. pg-pool only
 *   listens while a client is idle; a connection dropped while checked out
 *   (between two statements of a transaction, or just acquired) emitted
 *   'error' with no listener, and Node ended the process.
 * - Connection failures reach callers as StoreUnavailableError (the
 *   authorization server answers 503), and the client that failed is
 *   destroyed instead of going back to the pool.
 * - Waiting for a connection is bounded, so a database that does not answer
 *   fails requests after CONNECT_TIMEOUT_MS instead of holding them forever.
 */
import pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { classifyStoreError, isConnectionFailure } from '../unavailable.ts';

/** Longest a request waits for a pooled connection (a new one, or a busy pool's next free one). */
export const CONNECT_TIMEOUT_MS = 5_000;

const INT8_OID = 20;

export function createPostgresPool(connectionString: string, schema: string | undefined, poolSize: number, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // `-c search_path=…` is applied by the server to every pooled connection at startup.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // Epoch-ms timestamps are int8; read them as numbers (they fit in 2^53).
    types: {
      getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('connect', (client) => client.on('error', onError));
  // The pool re-emits an idle client's error; the client's own listener above has reported it already.
  pool.on('error', () => {});
  return pool;
}

/** What Kysely's PostgresDialect is given: the pool, with errors classified and broken clients discarded. */
export function classifyingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      let broken = false;
      const created: PostgresPoolClient = {
        // Kysely calls query(sql, parameters) only (no cursor: the store never streams).
        query: ((sql: string, parameters: readonly unknown[]) =>
          client.query(sql, parameters as unknown[]).catch((error: unknown) => {
            if (isConnectionFailure(error)) broken = true;
            throw classifyStoreError(error);
          })) as unknown as PostgresPoolClient['query'],
        // pg-pool replaces `client.release` on every checkout, so look it up each time. A truthy argument destroys the client.
        release: () => client.release(broken || undefined),
      };
      wrapper = created;
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => {
      try {
        return wrap(await pool.connect());
      } catch (error) {
        throw classifyStoreError(error);
      }
    },
    end: () => pool.end(),
  };
}
