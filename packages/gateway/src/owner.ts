/**
 * Who an upstream session belongs to: the user (or service agent) and the
 * client application. Requests of different users, or of one user through
 * different clients, never share an upstream session.
 */
import type { Principal } from '@gatehouse-auth/mcp';

export interface SessionOwner {
  subject: string;
  clientId: string;
  orgId: string | null;
  roles: readonly string[];
}

export const ownerOf = (principal: Principal): SessionOwner => ({ subject: principal.subject, clientId: principal.clientId, orgId: principal.orgId, roles: principal.roles });

export const sameOwner = (a: SessionOwner, b: SessionOwner): boolean => a.subject === b.subject && a.clientId === b.clientId && a.orgId === b.orgId;

/** Whether a revocation event takes access away from this owner (over-closing only costs a reconnect). */
export function revokedBy(
  owner: SessionOwner,
  event: { userId?: string; clientId?: string; orgId?: string; role?: string },
  tokenHashes: ReadonlySet<string>,
  ownerTokens: ReadonlySet<string>,
): boolean {
  if (event.userId != null) return event.userId === owner.subject && (event.orgId == null || event.orgId === owner.orgId) && (event.clientId == null || event.clientId === owner.clientId);
  if (event.clientId != null) return event.clientId === owner.clientId && (event.orgId == null || event.orgId === owner.orgId);
  if (event.role != null) return owner.roles.includes(event.role) && (event.orgId == null || event.orgId === owner.orgId);
  if (event.orgId != null) return event.orgId === owner.orgId;
  for (const hash of ownerTokens) if (tokenHashes.has(hash)) return true;
  return false;
}
