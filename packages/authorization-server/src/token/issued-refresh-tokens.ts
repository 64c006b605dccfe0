/**
 * The refresh tokens this process issued lately, by hash, so the refresh
 * grant's checks before the rotation need no read of the token's row. On a
 * SQLite file that read costs several times a primary-key lookup: the
 * token writer thread's commits empty the main connection's page cache.
 *
 * Only fields that never change after issuance are used from an entry
 * (kind, client, grant, family, subject, org, resource, scopes). Whether
 * the token is still live (revoked, rotated, expired, its grant revoked) is
 * decided by `tokens.rotateRefresh` under its lock, from the row. An entry
 * is taken out when used (a refresh token is good for one rotation); a miss
 * (another process issued it, or it was evicted) reads the row as before.
 *
 * Entries leave after ISSUED_REFRESH_TTL_MS even when never used: a client
 * that stops (or loses its refresh token) never takes its entry out, and
 * the 10-minute soak, whose clients leave sessions behind as real ones do,
 * showed this map growing all run long towards MAX_ENTRIES. A miss only
 * costs the row read.
 */
import type { TokenRecord } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { countCache } from '../cache-stats.ts';

/** ~0.5 KB an entry: a few MB at most. */
const MAX_ENTRIES = 10_000;
/** Clients that refresh soon after issuance (agents in a burst, benchmarks) are the ones served from memory. */
export const ISSUED_REFRESH_TTL_MS = 5 * 60_000;

const caches = new WeakMap<ServerContext, Map<string, TokenRecord>>();

export function rememberIssuedRefresh(ctx: ServerContext, record: TokenRecord): void {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
  // Insertion order is issuance order: the stale entries are at the head.
  const staleBefore = ctx.clock.now() - ISSUED_REFRESH_TTL_MS;
  for (const [hash, old] of cache) {
    if (old.createdAt > staleBefore) break;
    cache.delete(hash);
  }
  cache.set(record.hash, record);
  // Map iterates in insertion order: the first key is the oldest entry.
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
}

export function takeIssuedRefresh(ctx: ServerContext, hash: string): TokenRecord | undefined {
  const cache = caches.get(ctx);
  const record = cache?.get(hash);
  if (record) cache!.delete(hash);
  countCache(ctx, 'issuedRefresh', record !== undefined);
  return record;
}

/** How many issued refresh tokens this process remembers (for tests and metrics). */
export const issuedRefreshCacheSize = (ctx: ServerContext): number => caches.get(ctx)?.size ?? 0;
