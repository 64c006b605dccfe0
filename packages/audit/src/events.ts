/**
 * Core lifecycle events → audit records. Every GatehouseEvent type has a
 * mapping (token events, consent, logins, admin changes); the switch is
 * exhaustive, so a new event type fails to compile until it is mapped.
 */
import type { EventBus, GatehouseEvent } from '@gatehouse-auth/core';
import type { AuditLog } from './audit-log.ts';
import type { AuditEntry } from './record.ts';
import { formatMicros } from './time.ts';

export interface EventAuditOptions {
  /** Finds the org of a grant for events that carry only a grant id (revocations, reuse). */
  orgOfGrant?: (grantId: string) => Promise<string | null | undefined>;
  /** Finds a client's display name (seed 002: "AI client id and name"). */
  clientName?: (clientId: string) => Promise<string | null | undefined>;
  onError?: (error: unknown, event: GatehouseEvent) => void;
}

/** Subscribes `log` to `bus`; returns the unsubscribe function. Awaits durability before the publisher continues. */
export function auditEvents(bus: EventBus, log: AuditLog, options: EventAuditOptions = {}): () => void {
  const names = options.clientName === undefined ? undefined : cachedClientNames(options.clientName);
  const lookups: EventAuditOptions = names === undefined ? options : { ...options, clientName: names.get };
  return bus.subscribe(async (event) => {
    try {
      if (event.type.startsWith('client.')) names?.clear();
      const entry = await eventToEntry(event, lookups);
      entry.time = formatMicros(event.at * 1000);
      await log.append(entry);
    } catch (error) {
      (options.onError ?? ((e) => console.error('gatehouse audit: event not recorded', event.type, e)))(error, event);
      throw error;
    }
  });
}

const REFUSALS: Record<Extract<GatehouseEvent, { type: 'access.refused' }>['reason'], string> = {
  org_not_served: 'the resource does not serve this organization',
  client_blocked: 'the organization blocked this client',
  client_not_allowed: 'the organization does not allow this client',
  client_pending: 'the client awaits approval by an organization admin',
};
/**
 * Client names for token events, remembered for a few seconds: every token
 * response waits for its record, and the lookup was a store read on the
 * event loop per record. A client.* event seen here empties it; a rename
 * made by another process shows up within NAME_TTL_MS (the record's
 * client_id is the authoritative part).
 */
const NAME_TTL_MS = 5_000;
function cachedClientNames(lookup: (clientId: string) => Promise<string | null | undefined>) {
  const names = new Map<string, { name: string | null | undefined; until: number }>();
  return {
    clear: () => names.clear(),
    get: async (clientId: string) => {
      const now = Date.now();
      const hit = names.get(clientId);
      if (hit !== undefined && hit.until > now) return hit.name;
      const name = await lookup(clientId);
      if (names.size >= 1_000) names.clear();
      names.set(clientId, { name, until: now + NAME_TTL_MS });
      return name;
    },
  };
}

export async function eventToEntry(event: GatehouseEvent, options: EventAuditOptions = {}): Promise<AuditEntry> {
  const name = async (clientId: string | undefined) => (clientId === undefined || options.clientName === undefined ? null : ((await options.clientName(clientId)) ?? null));
  const grantOrg = async (grantId: string | null) => (grantId === null || options.orgOfGrant === undefined ? null : ((await options.orgOfGrant(grantId)) ?? null));
  const admin = (details: Record<string, unknown>, orgId: string | null = null): AuditEntry => ({
    type: `admin.${event.type}`,
    result: 'success',
    orgId,
    actor: 'actor' in event ? (event.actor ?? null) : null,
    details,
  });

  /** A record about one user's grant to one client: consent given or changed, a grant time-boxed or ended. */
  const aboutGrant = async (
    about: { type: string; orgId: string | null; userId: string | null; clientId: string; scopes: string[] },
    actor: AuditEntry['actor'],
    details: Record<string, unknown>,
  ): Promise<AuditEntry> => ({
    type: about.type,
    result: 'success',
    orgId: about.orgId,
    userId: about.userId,
    clientId: about.clientId,
    clientName: await name(about.clientId),
    scopes: about.scopes,
    actor,
    details,
  });

  switch (event.type) {
    case 'user.created':
    case 'user.updated':
    case 'user.disabled':
    case 'user.enabled':
      return { ...admin({}), userId: event.userId };
    case 'membership.added':
    case 'membership.changed':
    case 'membership.removed':
      return { ...admin({ roles: event.roles }, event.orgId), userId: event.userId };
    case 'org.created':
    case 'org.updated':
      return admin({}, event.orgId);
    case 'role.created':
    case 'role.updated':
    case 'role.deleted':
      return admin({ role: event.role });
    case 'scope.created':
    case 'scope.updated':
    case 'scope.deleted':
      return admin({ scope: event.scope });
    case 'resource.created':
    case 'resource.updated':
    case 'resource.deleted':
      return admin({ resource: event.resource });
    case 'client.registered':
    case 'client.updated':
    case 'client.disabled':
    case 'client.deleted':
      return { ...admin({}), clientId: event.clientId, clientName: await name(event.clientId) };
    case 'config.applied':
      return admin({ changes: event.changes });
    case 'org.client_policy_changed':
      return { ...admin({ mode: event.mode ?? null, rule: event.rule ?? null }, event.orgId), clientId: event.rule?.kind === 'client' ? event.rule.value : null };
    case 'consent.granted':
    case 'consent.changed':
      return aboutGrant(event, event.actor ?? null, { grantId: event.grantId, resource: event.resource });
    case 'grant.revoked':
      return {
        type: event.type,
        result: 'success',
        orgId: await grantOrg(event.grantId),
        userId: event.userId ?? null,
        clientId: event.clientId ?? null,
        clientName: await name(event.clientId),
        actor: event.actor ?? null,
        details: { grantId: event.grantId, tokenHashes: event.tokenHashes },
      };
    case 'grant.expired':
    case 'grant.scopes_expired':
      // Nobody acted: the grant (or a time-boxed scope) reached its end.
      return aboutGrant(event, null, { grantId: event.grantId, endedAt: event.endedAt });
    case 'grant.limited':
      return aboutGrant(event, event.actor ?? null, { grantId: event.grantId, until: event.until });
    case 'token.issued':
    case 'token.refreshed':
      return {
        type: event.type,
        result: 'success',
        orgId: event.orgId,
        userId: event.userId,
        clientId: event.clientId,
        clientName: await name(event.clientId),
        scopes: event.scopes,
        details: { grantId: event.grantId, resource: event.resource, tokenHash: event.tokenHash },
      };
    case 'token.revoked':
      return {
        type: event.type,
        result: 'success',
        orgId: event.orgId ?? null,
        userId: event.userId ?? null,
        clientId: event.clientId ?? null,
        clientName: await name(event.clientId),
        actor: event.actor ?? null,
        details: { reason: event.reason, tokenHashes: event.tokenHashes },
      };
    case 'token.refresh_reuse_detected':
    case 'authorization_code.replayed':
      return {
        type: event.type,
        result: 'denied',
        orgId: await grantOrg(event.grantId),
        clientId: event.clientId,
        clientName: await name(event.clientId),
        error: event.type === 'token.refresh_reuse_detected' ? 'refresh token reused' : 'authorization code replayed',
        details: { grantId: event.grantId, revokedTokenHashes: event.tokenHashes },
      };
    case 'login.succeeded':
    case 'login.failed':
      return {
        type: event.type,
        result: event.type === 'login.succeeded' ? 'success' : 'failure',
        userId: event.userId ?? null,
        ip: event.ip ?? null,
        userAgent: event.userAgent ?? null,
        error: event.reason ?? null,
        details: event.email === undefined ? {} : { email: event.email },
      };
    case 'access.refused':
      return {
        type: event.type,
        result: 'denied',
        orgId: event.orgId,
        userId: event.userId,
        clientId: event.clientId,
        clientName: await name(event.clientId),
        error: REFUSALS[event.reason],
        details: { reason: event.reason, step: event.step, resource: event.resource },
      };
    case 'logout':
      return { type: event.type, result: 'success', userId: event.userId };
    case 'approval.requested':
    case 'approval.approved':
    case 'approval.denied':
    case 'approval.consumed':
    case 'approval.refused':
      return {
        type: event.type,
        result: event.type === 'approval.refused' ? 'denied' : 'success',
        orgId: event.orgId,
        userId: event.userId,
        clientId: event.clientId,
        clientName: await name(event.clientId),
        tool: event.tool,
        error: event.reason ?? null,
        details: { approvalId: event.approvalId, resource: event.resource, argumentsSha256: event.argumentsSha256, ...(event.actorUserId ? { decidedBy: event.actorUserId } : {}) },
      };
    default: {
      const unmapped: never = event;
      throw new Error(`unmapped event ${(unmapped as { type: string }).type}`);
    }
  }
}
