/**
 * The verified caller, built from CURRENT introspection data or a verified
 * JWT. Handlers receive this, never the bearer token itself (MCP "Token
 * passthrough": the token must not travel further than this SDK).
 */
export interface Principal {
  /** `sub`: the user id, or the client id for a service agent. */
  subject: string;
  kind: 'user' | 'service';
  orgId: string | null;
  roles: string[];
  permissions: string[];
  scopes: string[];
  clientId: string;
  /** RFC 7662 `username` (Gatehouse: the user's email), for directory lookups by policies. */
  username?: string;
  /** Token expiry, epoch milliseconds. */
  expiresAt: number;
  /**
   * Gatehouse's `scope_exp`: when the first of `scopes` ends by itself
   * (a time-boxed scope), epoch milliseconds. A cached principal must not
   * be served past it. Absent when no scope has its own end.
   */
  scopesChangeAt?: number;
}

type Claims = Record<string, unknown>;

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const stringList = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string' && value !== '') return value.split(' ');
  return [];
};

const firstPresent = (claims: Claims, names: string[]): unknown => {
  for (const name of names) if (claims[name] !== undefined) return claims[name];
  return undefined;
};

/**
 * Maps RFC 7662 introspection members (or RFC 9068 JWT claims) to a
 * Principal. Besides the standard members it reads Gatehouse's own
 * `org_id`, `users_org_roles` (alias `roles`), `users_org_permissions`
 * (alias `permissions`) and `principal_type`. Returns undefined when `sub` or `client_id` is missing.
 */
export function principalFromClaims(claims: Claims): Principal | undefined {
  const clientId = stringOrNull(firstPresent(claims, ['client_id', 'azp']));
  const subject = stringOrNull(claims.sub) ?? clientId;
  if (subject === null || clientId === null) return undefined;
  const org = claims.org as Claims | undefined;
  const explicitKind = firstPresent(claims, ['principal_type', 'sub_type', 'gatehouse_kind']);
  // Gatehouse names service agents `client:<client_id>` (they act as themselves, not a person).
  const kind = explicitKind === 'service' || explicitKind === 'client' || (explicitKind === undefined && (claims.sub === undefined || subject === `client:${clientId}`)) ? 'service' : 'user';
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
  const principal: Principal = {
    subject,
    kind,
    orgId: stringOrNull(firstPresent(claims, ['org_id', 'organization_id'])) ?? stringOrNull(org?.id),
    roles: stringList(firstPresent(claims, ['users_org_roles', 'roles', 'org_roles'])),
    permissions: stringList(firstPresent(claims, ['permissions', 'users_org_permissions'])),
    scopes: stringList(claims.scope),
    clientId,
    expiresAt: exp,
  };
  if (typeof claims.username === 'string' && claims.username !== '') principal.username = claims.username;
  if (typeof claims.scope_exp === 'number') principal.scopesChangeAt = claims.scope_exp * 1000;
  return principal;
}

export const PRINCIPAL_KEY = 'gatehousePrincipal';

/** What a tool, resource or prompt handler receives as its `extra` (subset). */
export interface HandlerExtraWithAuth {
  authInfo?: { extra?: Record<string, unknown> } | undefined;
}

/**
 * The verified caller of the current request. Throws when called outside a
 * request this SDK authenticated: a handler must never run anonymously.
 */
export function getPrincipal(extra: HandlerExtraWithAuth): Principal {
  const principal = extra.authInfo?.extra?.[PRINCIPAL_KEY] as Principal | undefined;
  if (!principal) throw new Error('getPrincipal: this request was not authenticated by @gatehouse-auth/mcp');
  return principal;
}

const heldSets = new WeakMap<Principal, { scopes: readonly string[]; held: ReadonlySet<string> }>();

/**
 * The principal's scopes as a set, made once per principal: a verification
 * cache hands every request with the same token the same principal, and the
 * guard and a gateway each asked for a new set on every request. Made again
 * if the principal's scope list was replaced.
 */
export function heldScopes(principal: Principal): ReadonlySet<string> {
  const known = heldSets.get(principal);
  if (known !== undefined && known.scopes === principal.scopes) return known.held;
  const held = new Set(principal.scopes);
  heldSets.set(principal, { scopes: principal.scopes, held });
  return held;
}
