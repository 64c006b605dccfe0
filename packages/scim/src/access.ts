/**
 * What a directory change does to access (issue 13, item 4): after every
 * SCIM write, a provisioned person's membership in the org is made to
 * match the directory, and whatever the change takes away is revoked at
 * once. Store first (atomic operations), then the events: `token.revoked`
 * and `grant.revoked` reach every resource server through
 * /revocations/stream (their caches drop the tokens) and, like every event,
 * the audit log, with the directory as the actor.
 *
 * - Deactivated (`active: false`) or deleted: the membership goes, and with
 *   it every grant in the org (codes, refresh families, access tokens) and
 *   the person's login sessions. An account the directory created is also
 *   disabled once it belongs to no org at all.
 * - Active: member with the roles the directory's groups map to
 *   (`rolesForGroups`, the mapping SSO uses). A lost role narrows each grant
 *   in the org to the scopes the remaining roles may grant and revokes the
 *   tokens issued under it (a token cannot lose a scope in place).
 */
import { rolesForGroups, type Actor, type Clock, type EventBus, type GatehouseEvent, type GroupRoleMapping, type Organization, type ScopeDefinition } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';

export interface DirectoryDeps {
  store: Store;
  events: EventBus;
  clock: Clock;
  /** The org's group → role mapping (config `organizations[].directory`); none: members get no role. */
  groupRoles: (org: Organization) => GroupRoleMapping | undefined | Promise<GroupRoleMapping | undefined>;
}

const NO_MAPPING: GroupRoleMapping = { groupRoles: {}, defaultRoles: [] };

export const directoryActor = (org: Organization): Actor => ({ kind: 'directory', id: `scim:${org.slug}` });

/** Whether `roles` may grant the scope: user scopes always; org scopes by allowedRoles (empty: any role). */
const mayGrant = (definition: ScopeDefinition, roles: readonly string[]): boolean =>
  definition.kind === 'user' || definition.allowedRoles.length === 0 || definition.allowedRoles.some((role) => roles.includes(role));

const sameRoles = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((role) => b.includes(role));

async function publishAll(events: EventBus, list: GatehouseEvent[]): Promise<void> {
  for (const event of list) await events.publish(event);
}

/**
 * Brings the person's access in `org` in line with the directory. `ownsAccount`
 * comes from the record before a delete (the record is gone by then).
 */
export async function syncAccess(deps: DirectoryDeps, org: Organization, userId: string, deleted?: { ownsAccount: boolean }): Promise<void> {
  const record = deleted ? undefined : await deps.store.scim.getUser(org.id, userId);
  if (!record || !record.active) {
    await cutOff(deps, org, userId, deleted?.ownsAccount ?? record?.ownsAccount ?? false);
    return;
  }
  const actor = directoryActor(org);
  const mapping = (await deps.groupRoles(org)) ?? NO_MAPPING;
  const roles = rolesForGroups(
    mapping,
    (await deps.store.scim.groupsOfUser(org.id, userId)).map((g) => g.displayName),
  );
  const now = deps.clock.now();
  const events: GatehouseEvent[] = [];
  const user = await deps.store.users.get(userId);
  if (user && user.status === 'disabled' && record.ownsAccount) {
    await deps.store.users.setStatus(userId, 'active', now);
    events.push({ type: 'user.enabled', userId, actor });
  }
  const membership = await deps.store.orgs.getMembership(userId, org.id);
  if (!membership) {
    await deps.store.orgs.upsertMembership({ userId, orgId: org.id, roles, createdAt: now, updatedAt: now });
    events.push({ type: 'membership.added', userId, orgId: org.id, roles, actor });
  } else if (!sameRoles(membership.roles, roles)) {
    await deps.store.orgs.upsertMembership({ ...membership, roles, updatedAt: now });
    events.push({ type: 'membership.changed', userId, orgId: org.id, roles, actor });
    if (membership.roles.some((role) => !roles.includes(role))) events.push(...(await narrowGrants(deps, org, userId, roles, now)));
  }
  await publishAll(deps.events, events);
  // A deactivation that committed while we wrote the membership back may
  // have run its cut-off before our write: look again, and cut off if so.
  const after = await deps.store.scim.getUser(org.id, userId);
  if (!after || !after.active) await cutOff(deps, org, userId, after?.ownsAccount ?? record.ownsAccount);
}

/** Narrows the person's grants in the org to what `roles` may grant; returns the events to publish. */
async function narrowGrants(deps: DirectoryDeps, org: Organization, userId: string, roles: string[], now: number): Promise<GatehouseEvent[]> {
  const actor = directoryActor(org);
  const catalogue = new Map((await deps.store.scopes.list()).map((s) => [s.name, s]));
  const events: GatehouseEvent[] = [];
  for (const grant of await deps.store.grants.listForUser(userId)) {
    if (grant.orgId !== org.id || grant.revokedAt !== null) continue;
    const kept = grant.scopes.filter((scope) => {
      const definition = catalogue.get(scope);
      return definition === undefined || mayGrant(definition, roles);
    });
    if (kept.length === grant.scopes.length) continue;
    // Only generic scopes (openid, offline_access) left: nothing worth a grant.
    const scopes = kept.some((scope) => catalogue.has(scope)) ? kept : [];
    const { tokenHashes, grantRevoked } = await deps.store.scim.narrowGrant(grant.id, scopes, now);
    if (grantRevoked) {
      events.push({ type: 'grant.revoked', grantId: grant.id, tokenHashes, userId, clientId: grant.clientId, actor });
    } else {
      events.push({ type: 'consent.changed', grantId: grant.id, userId, orgId: org.id, clientId: grant.clientId, resource: grant.resource, scopes, actor });
      if (tokenHashes.length > 0) events.push({ type: 'token.revoked', tokenHashes, reason: 'membership_changed', userId, orgId: org.id, clientId: grant.clientId, actor });
    }
  }
  return events;
}

/** Removes the person from the org and revokes everything that membership gave, in one transaction. */
async function cutOff(deps: DirectoryDeps, org: Organization, userId: string, ownsAccount: boolean): Promise<void> {
  const actor = directoryActor(org);
  const now = deps.clock.now();
  const events = await deps.store.transaction(async (tx) => {
    const out: GatehouseEvent[] = [];
    const membership = await tx.orgs.getMembership(userId, org.id);
    if (membership) {
      await tx.orgs.removeMembership(userId, org.id);
      out.push({ type: 'membership.removed', userId, orgId: org.id, roles: membership.roles, actor });
    }
    for (const grant of await tx.grants.listForUser(userId)) {
      if (grant.orgId !== org.id || grant.revokedAt !== null) continue;
      const { tokenHashes } = await tx.grants.revokeGrant(grant.id, now);
      out.push({ type: 'grant.revoked', grantId: grant.id, tokenHashes, userId, clientId: grant.clientId, actor });
    }
    // Tokens in the org outside any grant, if any: none may outlive the membership.
    const loose = await tx.tokens.revokeForUser(userId, now, org.id);
    if (loose.length > 0) out.push({ type: 'token.revoked', tokenHashes: loose, reason: 'membership_changed', userId, orgId: org.id, actor });
    // A login session may have come from this org's IdP: it ends with the membership (the person signs in again elsewhere).
    await tx.sessions.revokeForUser(userId, now);
    if (ownsAccount && (await tx.orgs.listMembershipsOfUser(userId)).length === 0) {
      const user = await tx.users.get(userId);
      if (user?.status === 'active') {
        await tx.users.setStatus(userId, 'disabled', now);
        const everywhere = await tx.tokens.revokeForUser(userId, now);
        out.push({ type: 'user.disabled', userId, actor });
        if (everywhere.length > 0) out.push({ type: 'token.revoked', tokenHashes: everywhere, reason: 'user_disabled', userId, actor });
      }
    }
    return out;
  });
  await publishAll(deps.events, events);
}
