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
 */
import type { TokenRecord } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { countCache } from '../cache-stats.ts';

/** ~0.5 KB an entry: a few MB at most. */
const MAX_ENTRIES = 10_000;

const caches = new WeakMap<ServerContext, Map<string, TokenRecord>>();

export function rememberIssuedRefresh(ctx: ServerContext, record: TokenRecord): void {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
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
