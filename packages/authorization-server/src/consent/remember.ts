/**
 * Records an approval in `store.grants` (user × org × client × resource).
 * Approved scopes get a fresh `scopeConsentedAt`; scopes offered on this
 * screen but left unticked, and scopes the user's role no longer allows,
 * leave the grant; other scopes it already held keep their old timestamps.
 */
import { newId, type Grant, type ScopeDefinition } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { mayGrant, type ScopeChoice } from './plan.ts';
import { lifetimeAtConsent } from './lifetime.ts';
import type { AuthorizationServerOptions } from '../options.ts';

export interface ApprovalInput {
  existing: Grant | undefined;
  userId: string;
  orgId: string | null;
  clientId: string;
  resource: string;
  choices: readonly ScopeChoice[];
  approved: readonly string[];
  definitions: ReadonlyMap<string, ScopeDefinition>;
  roles: readonly string[] | null;
  now: number;
  /** A consent is a new prompt: it starts a new absolute lifetime (lifetime.ts). */
  options: Pick<AuthorizationServerOptions, 'grantLifetimeDays' | 'criticalReconsentDays'>;
}

export interface ApprovalResult {
  grant: Grant;
  kind: 'consent.granted' | 'consent.changed';
}

/** Pure: the grant's next scope set and timestamps. */
export function mergeConsent(input: Omit<ApprovalInput, 'options'>): { scopes: string[]; scopeConsentedAt: Record<string, number> } {
  const approved = new Set(input.approved);
  const declined = new Set(input.choices.filter((c) => !approved.has(c.name)).map((c) => c.name));
  const kept = (input.existing?.scopes ?? []).filter((scope) => {
    if (approved.has(scope) || declined.has(scope)) return false;
    const definition = input.definitions.get(scope);
    return definition !== undefined && mayGrant(definition, input.roles).allowed;
  });
  const scopes = [...kept, ...input.approved];
  const scopeConsentedAt: Record<string, number> = {};
  for (const scope of kept) scopeConsentedAt[scope] = input.existing?.scopeConsentedAt[scope] ?? input.now;
  for (const scope of input.approved) scopeConsentedAt[scope] = input.now;
  return { scopes, scopeConsentedAt };
}

export async function rememberConsent(store: Store, input: ApprovalInput): Promise<ApprovalResult> {
  const { scopes, scopeConsentedAt } = mergeConsent(input);
  const lifetime = lifetimeAtConsent(input.existing, scopes, input.definitions, input.now, input.options);
  if (input.existing) {
    const updated = await store.grants.updateScopes(input.existing.id, scopes, scopeConsentedAt, input.now, lifetime);
    if (updated) return { grant: updated, kind: 'consent.changed' };
  }
  const grant: Grant = {
    id: newId('grt'),
    userId: input.userId,
    orgId: input.orgId,
    clientId: input.clientId,
    resource: input.resource,
    scopes,
    scopeConsentedAt,
    ...lifetime,
    createdAt: input.now,
    updatedAt: input.now,
    revokedAt: null,
  };
  await store.grants.create(grant);
  return { grant, kind: 'consent.granted' };
}
