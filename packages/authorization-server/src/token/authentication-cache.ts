/**
 * Remembers successful client authentications for a few seconds, keyed by
 * the SHA-256 of exactly the credentials presented (Authorization header,
 * client_id, client_secret). A hit means these very credentials were
 * verified moments ago, so /introspect and /token skip the client lookup
 * and secret comparison on their hot paths. Any client.* event empties the
 * cache (a disabled client or rotated secret takes effect at once in this
 * process); the TTL bounds what another process's change can leave stale.
 */
import { sha256, type Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { countCache } from '../cache-stats.ts';

const TTL_MS = 5_000;
const MAX_ENTRIES = 1_000;

interface Entry {
  client: Client;
  until: number;
  /** On the server's clock: when the secret that matched expires (issue 16: secrets expire, overlaps end). */
  secretUntil: number;
}

const caches = new WeakMap<ServerContext, Map<string, Entry>>();

function cacheFor(ctx: ServerContext): Map<string, Entry> {
  let cache = caches.get(ctx);
  if (!cache) {
    const created = new Map<string, Entry>();
    ctx.events.subscribe((event) => {
      if (event.type.startsWith('client.')) created.clear();
    });
    ctx.events.onResync?.(() => created.clear());
    caches.set(ctx, created);
    cache = created;
  }
  return cache;
}

export const credentialsKey = (authorization: string | null, clientId: string | undefined, clientSecret: string | undefined): string =>
  sha256(`${authorization ?? ''}\n${clientId ?? ''}\n${clientSecret ?? ''}`);

export function cachedClient(ctx: ServerContext, key: string): Client | undefined {
  const cache = cacheFor(ctx);
  const entry = cache.get(key);
  // A cached authentication never outlives the secret it proved (rotation overlap, expiry).
  if (entry && (entry.until <= Date.now() || entry.secretUntil <= ctx.clock.now())) cache.delete(key);
  else if (entry) {
    countCache(ctx, 'clientAuthentication', true);
    return entry.client;
  }
  countCache(ctx, 'clientAuthentication', false);
  return undefined;
}

/** `secretUntil` (server clock): when the secret that matched stops working; a cached hit never outlives it. */
export function rememberClient(ctx: ServerContext, key: string, client: Client, secretUntil = Infinity): void {
  const cache = cacheFor(ctx);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, { client, until: Date.now() + TTL_MS, secretUntil });
}
