/**
 * The shapes of @gatehouse-auth/mcp's policy hook (packages/mcp/src/policy.ts),
 * restated structurally: a Cedar policy plugs into the SDK's `policy` option
 * without the SDK depending on Cedar or this package depending on the SDK.
 */
export interface PrincipalLike {
  subject: string;
  kind: 'user' | 'service';
  orgId: string | null;
  roles: string[];
  scopes: string[];
  clientId: string;
  /** RFC 7662 `username` (Gatehouse: the user's email), for directory lookups. */
  username?: string;
}

export interface OperationLike {
  kind: 'tool' | 'resource' | 'prompt';
  name: string;
  arguments: Record<string, unknown>;
  /** The request's `_meta` (where the caller states its reason). */
  meta?: Record<string, unknown>;
}

export interface RequestContextLike {
  time: number;
  ip: string | undefined;
  userAgent: string | undefined;
  resource: string;
}

/** Which policies decided and what they read: the SDK copies both into the decision record. */
export interface DecisionBasis {
  policies?: string[];
  inputs?: Record<string, unknown>;
}

export type DecisionLike = ({ allow: true } & DecisionBasis) | ({ allow: false; reason: string } & DecisionBasis);

export type PolicyLike = (principal: PrincipalLike, operation: OperationLike, context: RequestContextLike) => DecisionLike | Promise<DecisionLike>;
