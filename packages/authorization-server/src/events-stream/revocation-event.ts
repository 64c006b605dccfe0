/**
 * The wire format of /revocations/stream, shared with the resource-server
 * SDK's subscriber: `event: revocation` and one JSON object per event with
 * only what a cache needs to drop entries (token hashes, user, org, client,
 * role) and the time. Events that take no access away are not forwarded.
 */
import type { GatehouseEvent, RevocationEvent } from '@gatehouse-auth/core';

/** The wire contract is defined once in core (the SDK's subscriber reads the same type). */
export type RevocationMessage = RevocationEvent;

export const FORWARDED_TYPES: ReadonlySet<string> = new Set([
  'token.revoked',
  'grant.revoked',
  'token.refresh_reuse_detected',
  'authorization_code.replayed',
  'user.disabled',
  'membership.changed',
  'membership.removed',
  'role.updated',
  'client.disabled',
  // An operator's time box: caches drop the user's answers and learn its end (scope_exp) on the next introspection.
  'grant.limited',
  // A time-boxed scope ended (the expiry sweep or a refresh): caches drop the user's answers, which still list it.
  'grant.scopes_expired',
  'org.client_policy_changed',
]);

/**
 * An org's client policy change takes access away only when it changes the
 * mode (e.g. to allowlist) or removes a rule (an allow); an allow, an
 * approval or a pending request takes nothing away, and a block is
 * announced by its own token.revoked. Forwarded with the org id only, so
 * resource servers drop that org's cached tokens and re-introspect.
 */
const takesAccessAway = (event: GatehouseEvent): boolean => event.type !== 'org.client_policy_changed' || event.mode !== undefined || event.rule?.decision === null;

export function toRevocationMessage(event: GatehouseEvent & { at: number }): RevocationMessage | undefined {
  if (!FORWARDED_TYPES.has(event.type) || !takesAccessAway(event)) return undefined;
  const message: RevocationMessage = { type: event.type, at: event.at };
  if ('tokenHashes' in event) message.tokenHashes = event.tokenHashes;
  if ('userId' in event && event.userId) message.userId = event.userId;
  if ('orgId' in event && event.orgId) message.orgId = event.orgId;
  if ('clientId' in event && event.clientId) message.clientId = event.clientId;
  if ('role' in event) message.role = event.role;
  return message;
}

/** One SSE frame (HTML Living Standard §9.2.6); JSON has no raw newlines, so one data line suffices. */
export const sseFrame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
