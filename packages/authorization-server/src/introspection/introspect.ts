/**
 * RFC 7662 token introspection, the resource servers' hot path: one indexed
 * lookup by the token's SHA-256 that joins the grant, the user, the
 * membership and the client (tokens.getWithHolder); role permissions come from the
 * cached catalogue; active access-token answers are cached (cache.ts). A
 * token is active only while it is unrevoked, unexpired,
 * its grant is live, its user is active and still a member of the org, and
 * its resource still serves that org, and that org still lets the token's
 * client in (issue 16); and only to a caller that is the
 * resource server of the token's resource (issue 10), checked on cached
 * answers too. Anything else is exactly `{"active":false}` (§2.2): no hint of why.
 */
import { formatScope, seconds, servesOrg, tokenHash, type Client, type Grant, type TokenRecord } from '@gatehouse-auth/core';
import type { TokenWithHolder } from '@gatehouse-auth/store';
import { earliestScopeEnd } from '../consent/lifetime.ts';
import type { ServerContext } from '../context.ts';
import { permissionsOf } from '../token/catalogue.ts';
import { cachedIntrospection, rememberIntrospection } from './cache.ts';
import { serviceSubject } from '../token/mint.ts';
import { announceRefusal, resourceOf } from '../resources/served-orgs.ts';
import { decideClient } from '../clients/org-policy.ts';

export interface ActiveIntrospection {
  active: true;
  scope: string;
  client_id: string;
  sub: string;
  aud: string;
  iss: string;
  exp: number;
  iat: number;
  token_type: 'Bearer' | 'refresh_token';
  org_id?: string;
  users_org_roles: string[];
  users_org_permissions: string[];
  username?: string;
  /**
   * Gatehouse: when the earliest of `scope`'s time-boxed scopes ends (epoch
   * seconds). A cache must not serve this answer past it: that scope then
   * leaves `scope` (docs/tokens.md "Lifetimes").
   */
  scope_exp?: number;
}

export type IntrospectionResult = ActiveIntrospection | { active: false };

export const INACTIVE: { active: false } = Object.freeze({ active: false });

export async function introspectToken(ctx: ServerContext, caller: Client, token: string): Promise<IntrospectionResult> {
  const hash = tokenHash(token);
  const now = ctx.clock.now();
  const cached = cachedIntrospection(ctx, hash, now);
  if (cached) return caller.resourceServerFor.includes(cached.aud) ? cached : INACTIVE;
  // The token with its grant, user, membership and client in one read: on PostgreSQL each separate read was a round trip.
  const found = await ctx.store.tokens.getWithHolder(hash);
  if (!found) return INACTIVE;
  const record = found.token;
  if (record.revokedAt !== null || record.expiresAt <= now) return INACTIVE;
  // Another resource's token: its claims (user, org, roles) are none of this caller's business.
  if (!caller.resourceServerFor.includes(record.resource)) return INACTIVE;
  const resource = await resourceOf(ctx, record.resource);
  if (!resource || !servesOrg(resource, record.orgId)) {
    await announceRefusal(ctx, { step: 'introspect', userId: record.userId, orgIds: [record.orgId], clientId: record.clientId, resource: record.resource });
    return INACTIVE;
  }
  // The org no longer lets this client in (blocked, or off its allowlist): no hint of why, as for every inactive answer.
  if ((await decideClient(ctx, record.orgId, record.clientId)) !== 'allowed') return INACTIVE;
  if (record.kind === 'refresh') {
    // A rotated refresh token is spent; and only its own client may learn about it, so a
    // resource server can never mistake a refresh token for an access token.
    if (record.rotatedAt !== null || record.clientId !== caller.id) return INACTIVE;
    return record.userId ? introspectUserToken(ctx, found, record.userId) : introspectServiceToken(ctx, found);
  }
  const result = record.userId ? await introspectUserToken(ctx, found, record.userId) : await introspectServiceToken(ctx, found);
  if (result.active) rememberIntrospection(ctx, hash, result, now);
  return result;
}

async function introspectUserToken(ctx: ServerContext, { token: record, grant, user, membership }: TokenWithHolder, userId: string): Promise<IntrospectionResult> {
  if (record.grantId && (!grant || grant.revokedAt !== null)) return INACTIVE;
  if (!user || user.status !== 'active') return INACTIVE;
  if (record.orgId && !membership) return INACTIVE;
  const roles = membership?.roles ?? [];
  const claims = Object.assign(common(ctx, record, userId), {
    users_org_roles: roles,
    users_org_permissions: await permissionsOf(ctx, roles),
    username: user.email,
  });
  return grant ? withinLifetime(ctx, claims, record, grant) : claims;
}

/**
 * Time-boxed scopes leave the answer when they end, without any refresh;
 * with none left, or past the grant's own end, the token is inactive.
 */
async function withinLifetime(ctx: ServerContext, claims: ActiveIntrospection, record: TokenRecord, grant: Grant): Promise<IntrospectionResult> {
  const now = ctx.clock.now();
  if (grant.expiresAt !== null && grant.expiresAt <= now) return INACTIVE;
  if (Object.keys(grant.scopeExpiresAt).length === 0) return claims;
  const live = record.scopes.filter((scope) => (grant.scopeExpiresAt[scope] ?? Infinity) > now);
  if (live.length === 0) return INACTIVE;
  claims.scope = formatScope(live);
  const next = earliestScopeEnd(grant, live);
  if (next !== undefined) claims.scope_exp = seconds(next);
  return claims;
}

/** Service agents: their roles are the client's own, read fresh so a role change applies at once. */
async function introspectServiceToken(ctx: ServerContext, { token: record, client }: TokenWithHolder): Promise<IntrospectionResult> {
  if (!client || client.status !== 'active') return INACTIVE;
  const roles = client.orgId === record.orgId ? client.roles : [];
  return Object.assign(common(ctx, record, serviceSubject(record.clientId)), {
    users_org_roles: roles,
    users_org_permissions: await permissionsOf(ctx, roles),
  });
}

/**
 * The claims every active answer has. Callers add theirs with
 * Object.assign: Node 20's V8 makes properties added after a spread
 * (`{ ...common(), … }`) cost ~1-2 µs each (measured).
 */
function common(ctx: ServerContext, record: TokenRecord, sub: string) {
  const claims: Omit<ActiveIntrospection, 'users_org_roles' | 'users_org_permissions' | 'username'> = {
    active: true as const,
    scope: formatScope(record.scopes),
    client_id: record.clientId,
    sub,
    aud: record.resource,
    iss: ctx.options.issuer,
    exp: seconds(record.expiresAt),
    iat: seconds(record.createdAt),
    token_type: record.kind === 'access' ? 'Bearer' : 'refresh_token',
  };
  if (record.orgId) claims.org_id = record.orgId;
  return claims;
}
