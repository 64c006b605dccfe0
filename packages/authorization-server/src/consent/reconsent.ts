/**
 * When a remembered consent (a Grant) lets the user skip the consent screen.
 * It does not when: there is none, the client forces it (prompt=consent),
 * a grantable scope is asked for that was never consented to, a critical
 * scope's consent is older than options.criticalReconsentDays, the grant's
 * absolute lifetime or a scope's own end has passed (lifetime.ts, shared
 * with the refresh grant), or the user's role no longer allows a scope the
 * grant holds.
 */
import type { Grant, ScopeDefinition } from '@gatehouse-auth/core';
import { mayGrant, type ScopeChoice } from './plan.ts';
import { endedScopes, grantEnd, reconsentDue } from './lifetime.ts';
import type { AuthorizationServerOptions } from '../options.ts';

export type ReconsentReason = 'no_grant' | 'prompt_consent' | 'new_scopes' | 'critical_consent_expired' | 'grant_expired' | 'scope_expired' | 'role_no_longer_allows';

export interface ReconsentInput {
  grant: Grant | undefined;
  choices: readonly ScopeChoice[];
  /** True when the client named scopes; false when it asked for nothing specific. */
  explicitRequest: boolean;
  definitions: ReadonlyMap<string, ScopeDefinition>;
  roles: readonly string[] | null;
  promptConsent: boolean;
  now: number;
  options: Pick<AuthorizationServerOptions, 'grantLifetimeDays' | 'criticalReconsentDays'>;
}

/** The scopes a code carries when consent is skipped. */
export function rememberedScopes(grant: Grant, choices: readonly ScopeChoice[], explicitRequest: boolean): string[] {
  if (explicitRequest) return choices.filter((c) => c.allowed && grant.scopes.includes(c.name)).map((c) => c.name);
  const offered = new Set(choices.map((c) => c.name));
  return grant.scopes.filter((scope) => offered.has(scope));
}

export function reconsentReasons(input: ReconsentInput): ReconsentReason[] {
  const { grant } = input;
  if (!grant) return ['no_grant'];
  const reasons: ReconsentReason[] = [];
  if (input.promptConsent) reasons.push('prompt_consent');
  if (input.explicitRequest && input.choices.some((c) => c.allowed && !grant.scopes.includes(c.name))) reasons.push('new_scopes');
  const issuing = rememberedScopes(grant, input.choices, input.explicitRequest);
  if (reconsentDue(grant, issuing, input.definitions, input.now, input.options)) reasons.push('critical_consent_expired');
  if (grantEnd(grant, input.definitions, input.options) <= input.now) reasons.push('grant_expired');
  if (endedScopes(grant, issuing, input.now).length > 0) reasons.push('scope_expired');
  const lostRole = grant.scopes.some((scope) => {
    const definition = input.definitions.get(scope);
    return !definition || !mayGrant(definition, input.roles).allowed;
  });
  if (lostRole) reasons.push('role_no_longer_allows');
  if (!input.explicitRequest && issuing.length === 0) reasons.push('new_scopes');
  return reasons;
}
