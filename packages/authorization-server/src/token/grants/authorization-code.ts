/**
 * grant_type=authorization_code (OAuth 2.1 §4.1.3, RFC 7636, RFC 8707).
 * The code is consumed atomically first, so of N concurrent redemptions
 * exactly one can succeed; every later check burns the code too.
 */
import { OAuthError, sha256, type AuthorizationCode, type Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../../context.ts';
import { requireParam, type FormParams } from '../form.ts';
import { mintTokens, type TokenResponseBody } from '../mint.ts';
import { codeLimits } from '../grant-lifetime.ts';
import { verifyPkce } from '../pkce.ts';
import { requireSameResource } from '../resource.ts';
import { requireActiveSubject, requireLiveGrant } from '../subject.ts';
import { rememberIssuedRefresh } from '../issued-refresh-tokens.ts';
import { afterDurable } from '../durable-issuance.ts';
import { requireServedOrg } from '../../resources/served-orgs.ts';
import { requireClientAllowedAtToken } from '../../clients/org-policy.ts';
import type { GrantHandler } from './types.ts';

/**
 * The token family of a code is derived from the code's hash, so a replayed
 * code finds exactly the tokens issued from it (RFC 6749 §4.1.2: "SHOULD
 * revoke all tokens previously issued based on that authorization code")
 * without revoking the user's other sessions under the same grant.
 */
export const familyOfCode = (codeHash: string): string => `fam_${sha256(`family:${codeHash}`).slice(0, 22)}`;

const invalidGrant = (detail: string): OAuthError => new OAuthError('invalid_grant', 'The authorization code is invalid, expired or already used.', { detail });

export const authorizationCodeGrant: GrantHandler = async (ctx, client, form) => {
  const code = requireParam(form, 'code');
  const now = ctx.clock.now();
  const result = await ctx.store.codes.consume(sha256(code), now);
  if (result.status === 'not_found') throw invalidGrant('unknown code');
  if (result.status === 'replayed') {
    await revokeReplayedCode(ctx, result.code);
    throw invalidGrant('code replayed');
  }
  return redeem(ctx, client, form, result.code, now);
};

async function redeem(ctx: ServerContext, client: Client, form: FormParams, code: AuthorizationCode, now: number): Promise<TokenResponseBody> {
  if (code.expiresAt <= now) throw invalidGrant('code expired');
  if (code.clientId !== client.id) throw invalidGrant('code bound to another client');
  // RFC 6749 §4.1.3: identical to the authorization request's redirect_uri.
  if (form.redirect_uri !== code.redirectUri) throw invalidGrant('redirect_uri mismatch');
  verifyPkce(code.codeChallenge, form.code_verifier);
  requireSameResource(form.resource, code.resource);
  await requireServedOrg(ctx, code);
  await requireClientAllowedAtToken(ctx, code);
  await Promise.all([requireLiveGrant(ctx, code.grantId), requireActiveSubject(ctx, code.userId, code.orgId)]);

  // An operator may have time-boxed the grant or a scope since the consent (consent/lifetime.ts).
  const limits = await codeLimits(ctx, code.grantId, code.scopes);
  const offline = client.grantTypes.includes('refresh_token') || code.scopes.includes('offline_access');
  const minted = await mintTokens(ctx, {
    clientId: client.id,
    grantId: code.grantId,
    familyId: familyOfCode(code.hash),
    userId: code.userId,
    orgId: code.orgId,
    subject: code.userId,
    resource: code.resource,
    scopes: limits?.scopes ?? code.scopes,
    ...(offline ? { refresh: { scopes: limits?.scopes ?? code.scopes, parentHash: null } } : {}),
    ...(limits ? { notAfter: limits.notAfter, scopeEndsAt: limits.scopeEndsAt } : {}),
  });
  // As client_credentials: the audit record's WAL sync makes the tokens durable too (durable-issuance.ts).
  const committed = await ctx.store.tokens.insertCommitted(minted.records);
  await afterDurable(committed, () =>
    ctx.events.publish({
      type: 'token.issued',
      tokenHash: minted.access.hash,
      grantId: code.grantId,
      clientId: client.id,
      userId: code.userId,
      orgId: code.orgId,
      resource: code.resource,
      scopes: minted.access.scopes,
    }),
  );
  // Remembered once durable: the refresh token is served from memory only when the store has it for good.
  if (minted.refresh) rememberIssuedRefresh(ctx, minted.refresh);
  return minted.body;
}

/** A second redemption means the code leaked: everything issued from it is revoked (RFC 9700 §4.5). */
async function revokeReplayedCode(ctx: ServerContext, code: AuthorizationCode): Promise<void> {
  const tokenHashes = await ctx.store.tokens.revokeFamily({ familyId: familyOfCode(code.hash), grantId: code.grantId }, ctx.clock.now());
  await ctx.events.publish({ type: 'authorization_code.replayed', grantId: code.grantId, clientId: code.clientId, tokenHashes });
  if (tokenHashes.length > 0) {
    await ctx.events.publish({ type: 'token.revoked', tokenHashes, reason: 'code_replay', userId: code.userId, orgId: code.orgId, clientId: code.clientId });
  }
}
