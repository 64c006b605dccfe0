/**
 * Verified-token cache keyed by tokenHash(token) (the key the authorization
 * server stores a token under and puts in revocation events), with secondary indexes so a revocation
 * event can drop every entry of a user, client, organization or role.
 *
 * Entries past their end leave memory when a new entry is cached (pass
 * `now` to `set`), not only when their own token is asked about again: a
 * client that refreshes never presents its old access token again, and the
 * 10-minute soak showed this map keeping every token of the run until
 * `maxEntries`. Every entry ends within the verifier's TTL of being cached,
 * so the oldest entries (the head of the map) lapse first and the map holds
 * about one TTL's worth of tokens.
 */
import type { Principal } from '../principal.ts';
import type { RevocationEvent } from './types.ts';

interface Entry {
  principal: Principal | null; // null: the token was inactive
  expiresAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly byClient = new Map<string, Set<string>>();
  private readonly byOrg = new Map<string, Set<string>>();
  private readonly byRole = new Map<string, Set<string>>();

  constructor(private readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(hash: string, now: number): Entry | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.delete(hash);
      return undefined;
    }
    return entry;
  }

  /** `now`: lapsed entries at the head of the map are dropped first (omit it to keep them until read). */
  set(hash: string, principal: Principal | null, expiresAt: number, now = -Infinity): void {
    this.delete(hash);
    this.forgetLapsed(now);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    this.entries.set(hash, { principal, expiresAt });
    if (!principal) return;
    index(this.byUser, userKey(principal), hash);
    index(this.byClient, principal.clientId, hash);
    index(this.byOrg, principal.orgId ?? undefined, hash);
    for (const role of principal.roles) index(this.byRole, role, hash);
  }

  delete(hash: string): void {
    const entry = this.entries.get(hash);
    if (!entry) return;
    this.entries.delete(hash);
    const principal = entry.principal;
    if (!principal) return;
    unindex(this.byUser, userKey(principal), hash);
    unindex(this.byClient, principal.clientId, hash);
    unindex(this.byOrg, principal.orgId ?? undefined, hash);
    for (const role of principal.roles) unindex(this.byRole, role, hash);
  }

  /** Oldest first; stops at the first entry still live (a later one may have lapsed sooner: it goes when it reaches the head or is read). */
  private forgetLapsed(now: number): void {
    for (const [hash, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.delete(hash);
    }
  }

  clear(): void {
    this.entries.clear();
    this.byUser.clear();
    this.byClient.clear();
    this.byOrg.clear();
    this.byRole.clear();
  }

  /**
   * Drops what an event may have made stale. Over-dropping only costs one
   * re-introspection; under-dropping would serve a revoked token, so when
   * in doubt the wider set goes: a user's event drops all of that user's
   * entries (their roles may have changed in any org).
   */
  apply(event: RevocationEvent): void {
    for (const hash of event.tokenHashes ?? []) this.delete(hash);
    if (event.userId) this.dropAll(this.byUser, event.userId);
    else if (event.clientId) this.dropAll(this.byClient, event.clientId);
    if (event.role) this.dropAll(this.byRole, event.role);
    if (event.orgId && !event.userId) this.dropAll(this.byOrg, event.orgId);
  }

  private dropAll(indexMap: Map<string, Set<string>>, key: string): void {
    for (const hash of [...(indexMap.get(key) ?? [])]) this.delete(hash);
  }
}

/** Only a user's subject is a user id: a service token's subject names its client, and a user event never concerns it. */
const userKey = (principal: Principal): string | undefined => (principal.kind === 'user' ? principal.subject : undefined);

function index(indexMap: Map<string, Set<string>>, key: string | undefined, hash: string): void {
  if (key === undefined) return;
  let set = indexMap.get(key);
  if (!set) indexMap.set(key, (set = new Set()));
  set.add(hash);
}

function unindex(indexMap: Map<string, Set<string>>, key: string | undefined, hash: string): void {
  if (key === undefined) return;
  const set = indexMap.get(key);
  if (!set) return;
  set.delete(hash);
  if (set.size === 0) indexMap.delete(key);
}
