/**
 * Which database errors mean "unreachable right now" (a connection refused,
 * dropped by a failover, a pooler restart or pg_terminate_backend, or timed
 * out; a pool that could not hand out a connection in time), so the store
 * can raise them as core's StoreUnavailableError and protocol code needs no
 * SQL error codes.
 */
import { StoreUnavailableError } from '@gatehouse-auth/core';

export { StoreUnavailableError };

/** Node socket errors that mean the server is not there (or not answering). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs of a server going away or refusing work for now:
 * class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot
 * connect now), 57P05 (idle session timeout), 57014 (statement timeout),
 * 53300 (too many connections). SQLITE_BUSY: the write lock stayed taken
 * longer than the store waits for it.
 */
const UNAVAILABLE_CODES = /^(08...|57P0[1235]|57014|53300|SQLITE_BUSY)$/;

/** pg's own errors for a connection it lost or never got (they carry no code). */
const PG_CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Query read timeout)/;

/** Whether `error` says the database is unreachable (as opposed to a query the database rejected). */
export function isConnectionFailure(error: unknown): boolean {
  if (StoreUnavailableError.is(error)) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_CODES.test(code))) return true;
  if (PG_CONNECTION_MESSAGES.test(error.message)) return true;
  // Node reports a refused dual-stack connect as an AggregateError of one error per address.
  return error instanceof AggregateError && error.errors.length > 0 && error.errors.every(isConnectionFailure);
}

/** `error` as a StoreUnavailableError when it is a connection failure, unchanged otherwise. */
export function classifyStoreError(error: unknown): unknown {
  return isConnectionFailure(error) && !StoreUnavailableError.is(error) ? new StoreUnavailableError(error) : error;
}
