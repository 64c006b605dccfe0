/**
 * The token endpoint's side of grant lifetimes (the rules are in
 * consent/lifetime.ts, shared with /authorize). At refresh: a grant past
 * its absolute end is revoked with its tokens, a critical grant past its
 * re-consent cadence is refused (the person must consent again), and
 * scopes whose own end passed leave the grant. Both endings are recorded
 * the first time a refresh or the expiry sweep (consent/expiry-sweep.ts)
 * observes them (`grant.expired`, `grant.scopes_expired`): the grant is
 * revoked or narrowed by a store operation that exactly one caller wins, in
 * any number of processes, so an ending is recorded once.
 */
import { OAuthError, type Grant, type TokenRecord } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { catalogue } from './catalogue.ts';
import { earliestScopeEnd, endedScopes, grantEnd, reconsentDue, tokenNotAfter } from '../consent/lifetime.ts';

export interface TokenLimits {
  /** The scopes still live, in the order asked for. */
  scopes: string[];
  refreshScopes: string[];
  notAfter: number;
  scopeEndsAt: number | undefined;
}

const ended = (detail: string): OAuthError => new OAuthError('invalid_grant', 'The grant has ended; the person must authorize the client again.', { detail });

/** The limits on tokens issued from a fresh code: its grant was just consented to, but an operator may have time-boxed it. */
export async function codeLimits(ctx: ServerContext, grantId: string, scopes: string[]): Promise<TokenLimits | undefined> {
  const grant = await ctx.store.grants.get(grantId);
  if (!grant) return undefined;
  return limitsOf(ctx, grant, scopes, scopes, ctx.clock.now());
}

/**
 * Lifetime checks before a refresh rotates; throws invalid_grant when the grant has ended or needs a new consent.
 * `read`: the token's grant as already read with the token (tokens.getWithHolder); otherwise it is read here.
 */
export async function refreshLimits(ctx: ServerContext, current: TokenRecord, scopes: string[], read?: { grant?: Grant }): Promise<TokenLimits | undefined> {
  if (!current.grantId) return undefined;
  const grant = read ? read.grant : await ctx.store.grants.get(current.grantId);
  // Revoked or gone: rotateRefresh refuses it under its lock.
  if (!grant || grant.revokedAt !== null) return undefined;
  const { scopes: definitions } = await catalogue(ctx);
  const now = ctx.clock.now();
  if (grantEnd(grant, definitions, ctx.options) <= now) {
    await expireGrant(ctx, grant, grant.scopes, grantEnd(grant, definitions, ctx.options));
    throw ended('grant lifetime ended');
  }
  const gone = endedScopes(grant, grant.scopes, now);
  if (gone.length > 0 && gone.length === grant.scopes.length) {
    await expireGrant(ctx, grant, gone, Math.max(...gone.map((scope) => grant.scopeExpiresAt[scope]!)));
    throw ended('every scope of the grant has ended');
  }
  if (gone.length > 0) await dropEndedScopes(ctx, grant, now);
  const live = current.scopes.filter((scope) => !gone.includes(scope));
  if (live.length === 0) throw ended('every scope of the token has ended');
  if (reconsentDue(grant, live, definitions, now, ctx.options)) {
    throw new OAuthError('invalid_grant', 'Consent to a scope has expired; the person must approve the client again.', {
      detail: 'consent older than the re-consent cadence',
    });
  }
  return limitsOf(
    ctx,
    grant,
    scopes.filter((scope) => !gone.includes(scope)),
    live,
    now,
  );
}

async function limitsOf(ctx: ServerContext, grant: Grant, scopes: string[], refreshScopes: string[], now: number): Promise<TokenLimits> {
  const { scopes: definitions } = await catalogue(ctx);
  const live = scopes.filter((scope) => (grant.scopeExpiresAt[scope] ?? Infinity) > now);
  if (live.length === 0) throw ended('every requested scope has ended');
  return { scopes: live, refreshScopes, notAfter: tokenNotAfter(grant, refreshScopes, definitions, ctx.options), scopeEndsAt: earliestScopeEnd(grant, live) };
}

/** Revokes a grant that reached its end with its tokens and records it; false when another caller got there first. */
export async function expireGrant(ctx: ServerContext, grant: Grant, scopes: string[], endedAt: number): Promise<boolean> {
  const { revoked, tokenHashes } = await ctx.store.grants.revokeGrant(grant.id, ctx.clock.now());
  if (!revoked) return false; // another request got there first and recorded it
  await ctx.events.publish({ type: 'grant.expired', grantId: grant.id, userId: grant.userId, orgId: grant.orgId, clientId: grant.clientId, scopes, endedAt });
  if (tokenHashes.length > 0) {
    await ctx.events.publish({ type: 'token.revoked', tokenHashes, reason: 'grant_expired', userId: grant.userId, orgId: grant.orgId, clientId: grant.clientId });
  }
  return true;
}

/**
 * The ended scopes leave the grant; their ends stay recorded so tokens
 * already issued keep dropping them at introspection. Recorded by the one
 * caller the store gives them to; false when there was nothing left to take.
 */
export async function dropEndedScopes(ctx: ServerContext, grant: Grant, now: number): Promise<boolean> {
  const dropped = await ctx.store.grants.dropEndedScopes(grant.id, now);
  if (!dropped) return false;
  const endedAt = Math.max(...dropped.scopes.map((scope) => grant.scopeExpiresAt[scope] ?? now));
  await ctx.events.publish({ type: 'grant.scopes_expired', grantId: grant.id, userId: grant.userId, orgId: grant.orgId, clientId: grant.clientId, scopes: dropped.scopes, endedAt });
  return true;
}
