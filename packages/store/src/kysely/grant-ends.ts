/**
 * When a grant's next unrecorded end falls (the `ends_next_at` column): its
 * absolute end, or the earliest own end of a scope it still holds. A scope
 * that ended and left the grant keeps its end in `scopeExpiresAt` (tokens
 * issued before still drop it at introspection) but is recorded already.
 */
import type { Grant } from '@gatehouse-auth/core';

export function nextUnrecordedEnd(grant: Pick<Grant, 'scopes' | 'expiresAt' | 'scopeExpiresAt'>): number | null {
  let next = grant.expiresAt ?? Infinity;
  for (const scope of grant.scopes) next = Math.min(next, grant.scopeExpiresAt[scope] ?? Infinity);
  return next === Infinity ? null : next;
}
