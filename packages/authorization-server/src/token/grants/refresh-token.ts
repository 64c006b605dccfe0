/**
 * grant_type=refresh_token (OAuth 2.1 §4.3, RFC 9700 §4.14). Every use
 * rotates the token. Everything that can be checked without changing state
 * is checked before the atomic rotation, so a request that fails (wrong
 * client, wider scope, other resource) leaves the token as it was.
 */
import { OAuthError, parseScopeParam, tokenHash, type Client, type TokenRecord } from '@gatehouse-auth/core';
import type { ServerContext } from '../../context.ts';
import { requireParam, type FormParams } from '../form.ts';
import { mintTokens, serviceSubject } from '../mint.ts';
import { afterDurable } from '../durable-issuance.ts';
import { requireSameResource } from '../resource.ts';
import { inactiveSubject } from '../subject.ts';
import { rememberIssuedRefresh, takeIssuedRefresh } from '../issued-refresh-tokens.ts';
import { requireServedOrg } from '../../resources/served-orgs.ts';
import { refreshLimits } from '../grant-lifetime.ts';
import { requireClientAllowedAtToken } from '../../clients/org-policy.ts';
import type { GrantHandler } from './types.ts';

const invalidGrant = (detail: string): OAuthError => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.', { detail });

export const refreshTokenGrant: GrantHandler = async (ctx, client, form) => {
  const oldHash = tokenHash(requireParam(form, 'refresh_token'));
  // Immutable facts only, before the rotation; liveness is rotateRefresh's decision (issued-refresh-tokens.ts).
  const issued = takeIssuedRefresh(ctx, oldHash);
  // Not issued by this process: read with its grant (refreshLimits needs it), one query instead of two.
  const stored = issued ? undefined : await ctx.store.tokens.getWithHolder(oldHash);
  const current = issued ?? stored?.token;
  if (!current || current.kind !== 'refresh') throw invalidGrant('unknown refresh token');
  // Bound to the client it was issued to (RFC 6749 §6); another client's attempt must not rotate it.
  if (current.clientId !== client.id) throw invalidGrant('refresh token of another client');
  const scopes = narrowedScopes(current, form);
  requireSameResource(form.resource, current.resource);
  // The resource may have stopped serving the token's org since: refused before the rotation, so nothing changes.
  await requireServedOrg(ctx, current);
  await requireClientAllowedAtToken(ctx, current);
  // Lifetimes (seed 002): the grant's absolute end and re-consent cadence, checked here as at /authorize; ended scopes drop out.
  const limits = await refreshLimits(ctx, current, scopes, stored);
  // The grant's revocation and the user's standing (active, still a member) are checked by rotateRefresh itself, under its lock.

  const minted = await mintTokens(ctx, {
    clientId: client.id,
    grantId: current.grantId,
    familyId: current.familyId,
    userId: current.userId,
    orgId: current.orgId,
    subject: current.userId ?? serviceSubject(client.id),
    resource: current.resource,
    scopes: limits?.scopes ?? scopes,
    refresh: { scopes: limits?.refreshScopes ?? current.scopes, parentHash: oldHash },
    ...(limits ? { notAfter: limits.notAfter, scopeEndsAt: limits.scopeEndsAt } : {}),
  });
  const now = ctx.clock.now();
  const committed = await ctx.store.tokens.rotateRefreshCommitted(oldHash, minted.records, now, ctx.options.refreshGraceMs);
  const { result } = committed;
  // Only a successful rotation's wait is shared with its audit record; a refusal (and a reuse's revocation) is durable before anything is said.
  if (result.status !== 'rotated' && result.status !== 'rotated_in_grace') await committed.whenDurable();
  if (result.status === 'reuse_detected') {
    await announceReuse(ctx, client, result.previous, result.revokedHashes);
    throw invalidGrant('refresh token reuse');
  }
  if (result.status === 'invalid' && result.reason === 'subject_inactive') throw inactiveSubject();
  if (result.status === 'invalid') throw invalidGrant(`refresh token ${result.reason}`);
  await afterDurable(committed, () =>
    ctx.events.publish({
      type: 'token.refreshed',
      tokenHash: minted.access.hash,
      grantId: current.grantId,
      clientId: client.id,
      userId: current.userId,
      orgId: current.orgId,
      resource: current.resource,
      scopes: minted.access.scopes,
    }),
  );
  // Remembered once durable: the successor is served from memory only when the store has it for good.
  if (minted.refresh) rememberIssuedRefresh(ctx, minted.refresh);
  return minted.body;
};

/** RFC 6749 §6: a requested scope must not include anything not originally granted. */
function narrowedScopes(current: TokenRecord, form: FormParams): string[] {
  if (form.scope === undefined) return current.scopes;
  const requested = parseScopeParam(form.scope);
  if (!requested || requested.length === 0) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  const granted = new Set(current.scopes);
  const extra = requested.filter((scope) => !granted.has(scope));
  if (extra.length > 0) throw new OAuthError('invalid_scope', 'The requested scope exceeds the scope originally granted.', { detail: `not granted: ${extra.join(' ')}` });
  return requested;
}

/** Reuse outside grace means the token leaked: the store already revoked the grant's tokens in the same transaction (RFC 9700 §4.14.2). */
async function announceReuse(ctx: ServerContext, client: Client, previous: TokenRecord, revokedHashes: string[]): Promise<void> {
  await ctx.events.publish({ type: 'token.refresh_reuse_detected', grantId: previous.grantId, clientId: client.id, tokenHashes: revokedHashes });
  if (revokedHashes.length > 0) {
    await ctx.events.publish({ type: 'token.revoked', tokenHashes: revokedHashes, reason: 'refresh_reuse', userId: previous.userId, orgId: previous.orgId, clientId: client.id });
  }
}
