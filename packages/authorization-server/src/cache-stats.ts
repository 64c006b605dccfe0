/**
 * Hit and miss counts of the in-process caches, per server context, so a
 * benchmark (or an operator's metrics) can say how much of a figure came
 * from memory. Counting is an object property increment; nothing else.
 */
import type { ServerContext } from './context.ts';

export type CacheName = 'introspection' | 'issuedRefresh' | 'clientAuthentication';
export interface CacheCounter {
  hits: number;
  misses: number;
}
export type CacheStats = Record<CacheName, CacheCounter>;

const all = new WeakMap<ServerContext, CacheStats>();

function statsOf(ctx: ServerContext): CacheStats {
  let stats = all.get(ctx);
  if (!stats) {
    stats = { introspection: { hits: 0, misses: 0 }, issuedRefresh: { hits: 0, misses: 0 }, clientAuthentication: { hits: 0, misses: 0 } };
    all.set(ctx, stats);
  }
  return stats;
}

export function countCache(ctx: ServerContext, cache: CacheName, hit: boolean): void {
  const counter = statsOf(ctx)[cache];
  if (hit) counter.hits += 1;
  else counter.misses += 1;
}

/** A copy of the counts since the context was created. */
export function cacheStats(ctx: ServerContext): CacheStats {
  return structuredClone(statsOf(ctx));
}
