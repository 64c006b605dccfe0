/**
 * An in-process cache of active access-token introspections, so a resource
 * server asking about the same token again costs no store round trip. It is
 * emptied by the events that take access away: revoked token hashes are
 * dropped one by one; a user, membership, role, client, grant or org
 * client-policy change
 * empties it all (they are rare). Entries also lapse after
 * `introspectionCacheMs` (bounding staleness when a change was made by
 * another process whose event did not reach this one) and never outlive
 * the token. Refresh tokens are never cached.
 *
 * Lapsed entries leave memory when the next answer is cached, not only when
 * their own token is asked about again: most tokens are never introspected
 * again once their client has refreshed, and the 10-minute soak showed this
 * map holding every answer of the run until MAX_ENTRIES (it grew by ~4 MiB
 * in 7 minutes with a 2 s TTL). So the map holds about one TTL's worth of
 * answers; MAX_ENTRIES only caps a burst within one TTL.
 */
import type { ServerContext } from '../context.ts';
import type { ActiveIntrospection } from './introspect.ts';
import { countCache } from '../cache-stats.ts';

const MAX_ENTRIES = 50_000;

interface Entry {
  result: ActiveIntrospection;
  until: number;
}

const caches = new WeakMap<ServerContext, Map<string, Entry>>();

const CLEARS_ALL = /^(user\.(disabled|updated)|membership\.|role\.|client\.|grant\.|scope\.|resource\.|org\.client_policy_changed)/;

function cacheFor(ctx: ServerContext): Map<string, Entry> {
  let cache = caches.get(ctx);
  if (!cache) {
    const created = new Map<string, Entry>();
    ctx.events.subscribe((event) => {
      if ('tokenHashes' in event) for (const hash of event.tokenHashes) created.delete(hash);
      if (CLEARS_ALL.test(event.type)) created.clear();
    });
    // Events may have been missed (the fan-out connection was down): nothing cached can be trusted.
    ctx.events.onResync?.(() => created.clear());
    caches.set(ctx, created);
    cache = created;
  }
  return cache;
}

export function cachedIntrospection(ctx: ServerContext, hash: string, now: number): ActiveIntrospection | undefined {
  if (ctx.options.introspectionCacheMs <= 0) return undefined;
  const cache = cacheFor(ctx);
  const entry = cache.get(hash);
  // scope_exp: a time-boxed scope ends there and must leave the answer (introspect.ts).
  if (entry && (entry.until <= now || entry.result.exp * 1000 <= now || (entry.result.scope_exp ?? Infinity) * 1000 <= now)) cache.delete(hash);
  else if (entry) {
    countCache(ctx, 'introspection', true);
    return entry.result;
  }
  countCache(ctx, 'introspection', false);
  return undefined;
}

export function rememberIntrospection(ctx: ServerContext, hash: string, result: ActiveIntrospection, now: number): void {
  if (ctx.options.introspectionCacheMs <= 0) return;
  const cache = cacheFor(ctx);
  // Re-inserted at the tail, so insertion order stays the order of `until` (every entry gets the same TTL).
  cache.delete(hash);
  forgetLapsed(cache, now);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(hash, { result, until: now + ctx.options.introspectionCacheMs });
}

/** Drops the lapsed entries, all at the head of the map (oldest first); stops at the first live one. */
function forgetLapsed(cache: Map<string, Entry>, now: number): void {
  for (const [hash, entry] of cache) {
    if (entry.until > now) return;
    cache.delete(hash);
  }
}

/** How many answers this process holds (for tests and metrics). */
export const introspectionCacheSize = (ctx: ServerContext): number => caches.get(ctx)?.size ?? 0;
