/**
 * Read-only figures for operators (Prometheus gauges read at scrape time,
 * never on a request path): live refresh-token families and the
 * PostgreSQL connection pool.
 */
import { sql } from 'kysely';
import type { Store } from './types.ts';
import { kyselyOf } from './kysely/store.ts';

interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

const pools = new WeakMap<Store, PoolLike>();

/** create-store.ts registers the pool behind a PostgreSQL store. */
export function registerPool(store: Store, pool: PoolLike): void {
  pools.set(store, pool);
}

export interface PoolStats {
  /** Open connections, idle ones, callers waiting for one, the configured maximum. */
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** undefined for SQLite (one connection, no pool). */
export function poolStats(store: Store): PoolStats | undefined {
  const pool = pools.get(store);
  if (!pool) return undefined;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}

/** Refresh-token families with a live (unrevoked, unexpired) refresh token: the sessions clients hold. */
export async function countActiveRefreshFamilies(store: Store, now: number): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`SELECT COUNT(DISTINCT family_id) AS n FROM tokens WHERE kind = 'refresh' AND revoked_at IS NULL AND expires_at > ${now}`.execute(
    kyselyOf(store).db,
  );
  return Number(rows[0]?.n ?? 0);
}
