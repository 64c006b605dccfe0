/**
 * Taking access away, as plain functions the admin API, the account pages
 * and the CLI share. Each one changes the store first (the atomic store
 * operations revoke tokens in the same transaction where they can), then
 * publishes the events that the audit log and /revocations/stream consume.
 * They return what they did so callers can report it.
 */
import type { Actor, RevocationReason } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';

export interface RevocationOutcome {
  found: boolean;
  tokensRevoked: number;
}

const NOT_FOUND: RevocationOutcome = { found: false, tokensRevoked: 0 };

export async function revokeGrant(ctx: ServerContext, grantId: string, actor: Actor): Promise<RevocationOutcome> {
  const grant = await ctx.store.grants.get(grantId);
  if (!grant) return NOT_FOUND;
  const { tokenHashes } = await ctx.store.grants.revokeGrant(grantId, ctx.clock.now());
  await ctx.events.publish({ type: 'grant.revoked', grantId, tokenHashes, userId: grant.userId, clientId: grant.clientId, actor });
  return { found: true, tokensRevoked: tokenHashes.length };
}

export async function revokeUserTokens(ctx: ServerContext, userId: string, reason: RevocationReason, actor: Actor, orgId?: string): Promise<RevocationOutcome> {
  const user = await ctx.store.users.get(userId);
  if (!user) return NOT_FOUND;
  const tokenHashes = await ctx.store.tokens.revokeForUser(userId, ctx.clock.now(), orgId);
  await ctx.events.publish({ type: 'token.revoked', tokenHashes, reason, userId, orgId: orgId ?? null, actor });
  return { found: true, tokensRevoked: tokenHashes.length };
}

/** Disables the account, revokes its tokens and ends its login sessions. */
export async function disableUser(ctx: ServerContext, userId: string, actor: Actor): Promise<RevocationOutcome> {
  const now = ctx.clock.now();
  const user = await ctx.store.users.setStatus(userId, 'disabled', now);
  if (!user) return NOT_FOUND;
  const tokenHashes = await ctx.store.tokens.revokeForUser(userId, now);
  await ctx.store.sessions.revokeForUser(userId, now);
  await ctx.events.publish({ type: 'user.disabled', userId, actor });
  await ctx.events.publish({ type: 'token.revoked', tokenHashes, reason: 'user_disabled', userId, actor });
  return { found: true, tokensRevoked: tokenHashes.length };
}

export async function disableClient(ctx: ServerContext, clientId: string, actor: Actor): Promise<RevocationOutcome> {
  const now = ctx.clock.now();
  const client = await ctx.store.clients.setStatus(clientId, 'disabled', now);
  if (!client) return NOT_FOUND;
  const tokenHashes = await ctx.store.tokens.revokeForClient(clientId, now);
  await ctx.events.publish({ type: 'client.disabled', clientId, actor });
  await ctx.events.publish({ type: 'token.revoked', tokenHashes, reason: 'client_disabled', clientId, actor });
  return { found: true, tokensRevoked: tokenHashes.length };
}

/** Removes the member and revokes the tokens they hold in that org. */
export async function removeMember(ctx: ServerContext, orgId: string, userId: string, actor: Actor): Promise<RevocationOutcome> {
  const membership = await ctx.store.orgs.getMembership(userId, orgId);
  if (!membership || !(await ctx.store.orgs.removeMembership(userId, orgId))) return NOT_FOUND;
  const tokenHashes = await ctx.store.tokens.revokeForUser(userId, ctx.clock.now(), orgId);
  await ctx.events.publish({ type: 'membership.removed', userId, orgId, roles: membership.roles, actor });
  await ctx.events.publish({ type: 'token.revoked', tokenHashes, reason: 'membership_changed', userId, orgId, actor });
  return { found: true, tokensRevoked: tokenHashes.length };
}

/**
 * Replaces the member's roles. Introspection always reports current roles,
 * but scopes consented under a role the member just lost may exceed what
 * the remaining roles allow, so losing any role revokes the member's tokens
 * in that org (the client goes through consent again). Gaining roles revokes nothing.
 */
export async function setMemberRoles(ctx: ServerContext, orgId: string, userId: string, roles: string[], actor: Actor): Promise<RevocationOutcome> {
  const current = await ctx.store.orgs.getMembership(userId, orgId);
  if (!current) return NOT_FOUND;
  const now = ctx.clock.now();
  await ctx.store.orgs.upsertMembership({ ...current, roles, updatedAt: now });
  await ctx.events.publish({ type: 'membership.changed', userId, orgId, roles, actor });
  const lostRole = current.roles.some((role) => !roles.includes(role));
  if (!lostRole) return { found: true, tokensRevoked: 0 };
  const tokenHashes = await ctx.store.tokens.revokeForUser(userId, now, orgId);
  await ctx.events.publish({ type: 'token.revoked', tokenHashes, reason: 'membership_changed', userId, orgId, actor });
  return { found: true, tokensRevoked: tokenHashes.length };
}
