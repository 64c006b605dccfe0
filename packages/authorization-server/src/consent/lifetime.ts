/**
 * How long a grant lasts (issue 16, item 1; seed 002: refreshing must not
 * extend access indefinitely without a new prompt). One place decides, for
 * /authorize (reconsent.ts) and for the refresh grant alike:
 *
 * - a grant's absolute end, set at each consent by its most sensitive scope
 *   (`grantLifetimeDays`); rotation never moves it;
 * - the re-consent cadence of critical scopes (`criticalReconsentDays`);
 * - scopes with their own end (an operator's time box, `gatehouse grants limit`).
 *
 * Plain functions of the grant, the catalogue and the clock: no I/O.
 */
import { highestSensitivity, type Grant, type ScopeDefinition } from '@gatehouse-auth/core';
import type { AuthorizationServerOptions } from '../options.ts';

const DAY_MS = 86_400_000;

type Definitions = ReadonlyMap<string, ScopeDefinition>;
type LifetimeOptions = Pick<AuthorizationServerOptions, 'grantLifetimeDays' | 'criticalReconsentDays'>;

/**
 * The lifetime a new consent to `scopes` starts, in ms: by the most
 * sensitive scope, shortened by any scope's own `maxGrantLifetimeDays`.
 */
export function grantLifetimeMs(scopes: readonly string[], definitions: Definitions, options: LifetimeOptions): number {
  let days = options.grantLifetimeDays[highestSensitivity(scopes, (name) => definitions.get(name)?.sensitivity)];
  for (const scope of scopes) days = Math.min(days, definitions.get(scope)?.maxGrantLifetimeDays ?? Infinity);
  return days * DAY_MS;
}

/** A scope's re-consent cadence in days: its own, else `criticalReconsentDays` for critical scopes; none for the rest. */
function reconsentAfterDays(definition: ScopeDefinition | undefined, options: LifetimeOptions): number | undefined {
  if (definition?.reconsentAfterDays != null) return definition.reconsentAfterDays;
  return definition?.sensitivity === 'critical' ? options.criticalReconsentDays : undefined;
}

/** The grant's absolute end; grants stored before it was recorded count from their creation. */
export function grantEnd(grant: Grant, definitions: Definitions, options: LifetimeOptions): number {
  return grant.expiresAt ?? grant.createdAt + grantLifetimeMs(grant.scopes, definitions, options);
}

/** The scopes among `scopes` whose own end has passed. */
export const endedScopes = (grant: Grant, scopes: readonly string[], now: number): string[] => scopes.filter((scope) => (grant.scopeExpiresAt[scope] ?? Infinity) <= now);

/** A scope among `scopes` whose consent is older than its cadence: the person must be asked again. */
export function reconsentDue(grant: Grant, scopes: readonly string[], definitions: Definitions, now: number, options: LifetimeOptions): boolean {
  return scopes.some((scope) => {
    const days = reconsentAfterDays(definitions.get(scope), options);
    return days !== undefined && now - (grant.scopeConsentedAt[scope] ?? 0) >= days * DAY_MS;
  });
}

/** The earliest own end among `scopes`, if any has one. */
export function earliestScopeEnd(grant: Grant, scopes: readonly string[]): number | undefined {
  let earliest: number | undefined;
  for (const scope of scopes) {
    const end = grant.scopeExpiresAt[scope];
    if (end !== undefined && (earliest === undefined || end < earliest)) earliest = end;
  }
  return earliest;
}

/**
 * What a token carrying `scopes` may not outlive: the grant's end, and the
 * last of its scopes' ends when every scope has one (a token with no scope
 * left is worth nothing). A scope that ends earlier leaves the token at
 * introspection instead (introspect.ts), so the token's other scopes go on.
 */
export function tokenNotAfter(grant: Grant, scopes: readonly string[], definitions: Definitions, options: LifetimeOptions): number {
  const end = grantEnd(grant, definitions, options);
  const ends = scopes.map((scope) => grant.scopeExpiresAt[scope]);
  if (scopes.length === 0 || ends.some((e) => e === undefined)) return end;
  return Math.min(end, Math.max(...(ends as number[])));
}

/** The lifetime fields a new consent writes: a fresh absolute end; operator time boxes still ahead are kept. */
export function lifetimeAtConsent(
  existing: Grant | undefined,
  scopes: readonly string[],
  definitions: Definitions,
  now: number,
  options: LifetimeOptions,
): Pick<Grant, 'expiresAt' | 'scopeExpiresAt'> {
  const scopeExpiresAt: Record<string, number> = {};
  for (const scope of scopes) {
    const end = existing?.scopeExpiresAt[scope];
    if (end !== undefined && end > now) scopeExpiresAt[scope] = end;
  }
  return { expiresAt: now + grantLifetimeMs(scopes, definitions, options), scopeExpiresAt };
}
