/**
 * From verified ID token claims (and userinfo, whose `sub` the library
 * matched against the ID token's) to a FederatedIdentity, through the
 * provider's claim names. A claim of the wrong type counts as absent.
 */
import type { FederatedIdentity } from '../federated-identity.ts';
import type { OidcClaimNames } from './settings.ts';

type Claims = Readonly<Record<string, unknown>>;

const stringClaim = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** Groups as an array of strings, or one string; anything else is no group (never a guess). */
export function groupsClaim(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === 'string' && g.trim() !== '').map((g) => g.trim());
}

/** Only the boolean `true` (or the string "true" some IdPs send) counts as verified. */
const verifiedClaim = (value: unknown): boolean => value === true || value === 'true';

/** Whether the ID token already carries what sign-in needs (else userinfo is asked in `auto` mode). */
export const needsUserinfo = (idToken: Claims, names: OidcClaimNames): boolean => stringClaim(idToken[names.email]) === undefined || !(names.groups in idToken);

export function identityFromClaims(input: { org: string; provider: string; idToken: Claims; userinfo?: Claims | undefined; names: OidcClaimNames }): FederatedIdentity {
  const { idToken, userinfo, names } = input;
  const subject = stringClaim(idToken['sub']);
  if (!subject) throw new Error('the ID token has no subject');
  // The ID token is signed; userinfo fills only what it lacks.
  const pick = (name: string): unknown => (idToken[name] !== undefined ? idToken[name] : userinfo?.[name]);
  const email = stringClaim(pick(names.email))?.toLowerCase();
  return {
    protocol: 'oidc',
    org: input.org,
    provider: input.provider,
    subject,
    email,
    // The verification flag must come from the same source as the email.
    emailVerified: email !== undefined && verifiedClaim(idToken[names.email] !== undefined ? idToken[names.emailVerified] : userinfo?.[names.emailVerified]),
    name: stringClaim(pick(names.name)),
    groups: groupsClaim(pick(names.groups)),
  };
}
