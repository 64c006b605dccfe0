/**
 * Issues the authorization code the token endpoint redeems. Only its
 * SHA-256 is stored; it is bound to the client, the exact redirect_uri
 * used, the PKCE challenge, the canonical resource and the granted scopes,
 * and lives options.codeTtl seconds (60 by default, FAPI 2 / oidc-provider).
 */
import { randomToken, sha256 } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import type { PendingAuthorization } from './pending.ts';

export interface CodeSubject {
  userId: string;
  orgId: string | null;
  grantId: string;
  /** Granted catalogue scopes. */
  scopes: string[];
  sessionId: string | null;
  authTime: number;
}

export async function issueCode(ctx: ServerContext, pending: PendingAuthorization, subject: CodeSubject): Promise<string> {
  const code = randomToken();
  const now = ctx.clock.now();
  // offline_access rides along so the token endpoint knows a refresh token was asked for.
  const scopes = pending.offlineAccess ? [...subject.scopes, 'offline_access'] : subject.scopes;
  await ctx.store.codes.create({
    hash: sha256(code),
    grantId: subject.grantId,
    clientId: pending.clientId,
    userId: subject.userId,
    orgId: subject.orgId,
    redirectUri: pending.redirectUri,
    codeChallenge: pending.codeChallenge,
    resource: pending.resource,
    scopes,
    sessionId: subject.sessionId,
    authTime: subject.authTime,
    createdAt: now,
    expiresAt: now + ctx.options.codeTtl * 1000,
    consumedAt: null,
  });
  return code;
}
