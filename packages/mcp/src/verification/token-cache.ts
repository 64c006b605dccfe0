/**
 * Verified-token cache keyed by tokenHash(token) (the key the authorization
 * server stores a token under and puts in revocation events), with secondary indexes so a revocation
 * event can drop every entry of a user, client, organization or role.
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

  set(hash: string, principal: Principal | null, expiresAt: number): void {
    this.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    this.entries.set(hash, { principal, expiresAt });
    if (!principal) return;
    index(this.byUser, principal.kind === 'user' ? principal.subject : undefined, hash);
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
    unindex(this.byUser, principal.subject, hash);
    unindex(this.byClient, principal.clientId, hash);
    unindex(this.byOrg, principal.orgId ?? undefined, hash);
    for (const role of principal.roles) unindex(this.byRole, role, hash);
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
