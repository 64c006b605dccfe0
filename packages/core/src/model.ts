/**
 * The access model: who may do what. Plain data, no I/O. Times are epoch
 * milliseconds. Secrets never appear here in clear: only their SHA-256
 * (tokens, client secrets) or argon2id hash (passwords).
 */
import type { ScopeKind, Sensitivity } from './scope.ts';

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  email: string; // stored lower-cased; unique
  name: string;
  passwordHash: string | null; // argon2id; null for SSO-only or invited users
  status: UserStatus;
  createdAt: number;
  updatedAt: number;
}

export interface Organization {
  id: string;
  slug: string; // unique, used in config and URLs
  name: string;
  /** Audit retention in days; null keeps records forever. */
  auditRetentionDays: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Roles are defined once and held by members of any organization. */
export interface Role {
  name: string; // unique, e.g. "Management"
  description: string;
  /** What introspection returns as `users_org_permissions`. */
  permissions: string[];
}

export interface Membership {
  userId: string;
  orgId: string;
  roles: string[];
  createdAt: number;
  updatedAt: number;
}

export interface ScopeDefinition {
  name: string; // resource:verb[:qualifier]
  kind: ScopeKind;
  /** For org scopes: roles that may grant it. Empty means every role. */
  allowedRoles: string[];
  sensitivity: Sensitivity;
  /** Optional scopes can be unticked on the consent screen. */
  optional: boolean;
  description: string; // written for people
  /** A grant holding this scope lasts at most this many days from its consent (default: by sensitivity, `grantLifetimeDays`). */
  maxGrantLifetimeDays?: number | null;
  /** Consent to this scope is asked again after this many days, at /authorize and at refresh (default: `criticalReconsentDays` for critical scopes, never for others). */
  reconsentAfterDays?: number | null;
}

export interface ProtectedResource {
  uri: string; // canonical resource URI (RFC 8707), unique
  name: string;
  scopes: string[]; // scope names this resource supports
  /**
   * Ids of the organizations this resource serves: a token is only ever
   * issued, refreshed or introspected as active for one of them. Empty with
   * `multiTenant` false means the resource serves nobody (the safe default).
   */
  organizations: string[];
  /** Serves every organization; its own policy must then keep tenants apart (by the token's org_id). */
  multiTenant: boolean;
  /**
   * What each operation of this MCP server requires, as its resource server
   * declared it (config `operations:`); the consent screen shows, under each
   * scope, the tools, resources and prompts it unlocks. Absent: not declared.
   */
  operations?: ResourceOperations;
  createdAt: number;
  updatedAt: number;
}

/** Operation name → scopes it requires, per MCP primitive (the SDK's requireScopes, as a map). */
export interface ResourceOperations {
  tools: Record<string, string[]>;
  resources: Record<string, string[]>;
  prompts: Record<string, string[]>;
}

export type ClientKind = 'preregistered' | 'dynamic' | 'metadata_document' | 'service';
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';
export type ClientStatus = 'active' | 'disabled';

export interface Client {
  id: string; // the client_id; a URL for metadata_document clients
  kind: ClientKind;
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  secretHash: string | null; // SHA-256 of the client secret
  /** When the current secret stops authenticating (null or absent: never). */
  secretExpiresAt?: number | null;
  /** SHA-256 of the secret the last rotation replaced, accepted until `previousSecretExpiresAt` (the overlap). */
  previousSecretHash?: string | null;
  previousSecretExpiresAt?: number | null;
  applicationType: 'native' | 'web';
  logoUri: string | null;
  clientUri: string | null;
  policyUri: string | null;
  tosUri: string | null;
  /** Scopes the client may request; null means any the resource supports. */
  scope: string | null;
  /** Service agents (client_credentials) act in one org with their own roles. */
  orgId: string | null;
  roles: string[];
  /**
   * Resource URIs this client is the resource server for: only such a client
   * may introspect (tokens of these resources only) or subscribe to the
   * revocation stream (their events only). Set by an operator in config,
   * never by dynamic registration or a metadata document.
   */
  resourceServerFor: string[];
  status: ClientStatus;
  registrationAccessTokenHash: string | null;
  /** For metadata_document clients: when the cached document must be refetched. */
  metadataExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A remembered consent: user × org × client × resource → scopes. */
export interface Grant {
  id: string;
  userId: string | null; // null for service agents
  orgId: string | null;
  clientId: string;
  resource: string;
  scopes: string[];
  /** When each scope was last consented to (critical scopes expire). */
  scopeConsentedAt: Record<string, number>;
  /**
   * The grant's absolute end (docs/tokens.md "Lifetimes"): set at each consent
   * by its most sensitive scope; rotation never extends it. Null (grants
   * older than this field): counted from `createdAt`.
   */
  expiresAt: number | null;
  /** Scopes that end by themselves (time-boxed or emergency access), by name. */
  scopeExpiresAt: Record<string, number>;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

export interface AuthorizationCode {
  hash: string; // SHA-256 of the code
  grantId: string;
  clientId: string;
  userId: string;
  orgId: string | null;
  redirectUri: string;
  codeChallenge: string; // S256 only
  resource: string;
  scopes: string[];
  sessionId: string | null;
  authTime: number;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export type TokenKind = 'access' | 'refresh';
export type TokenFormat = 'opaque' | 'jwt';

export interface TokenRecord {
  hash: string; // SHA-256 of the token string (for JWTs, of the jti)
  kind: TokenKind;
  format: TokenFormat;
  grantId: string | null;
  /** Tokens descended from one authorization code share a family. */
  familyId: string;
  clientId: string;
  userId: string | null;
  orgId: string | null;
  resource: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** Refresh tokens: when it was exchanged for its successor. */
  rotatedAt: number | null;
  /** Refresh tokens: the hash of the token it replaced. */
  parentHash: string | null;
}

export interface SigningKey {
  kid: string;
  alg: 'ES256' | 'EdDSA' | 'RS256';
  publicJwk: Record<string, unknown>;
  privateJwk: Record<string, unknown>;
  status: 'active' | 'retired';
  createdAt: number;
}

export interface SignupPolicy {
  publicSignup: boolean;
  /** Lower-cased domains; empty means any domain (when signup is on). */
  allowedEmailDomains: string[];
}

export interface LoginSession {
  id: string; // SHA-256 of the session cookie value
  userId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** Whether `resource` serves `orgId`. A token without an org is served by no resource. */
export const servesOrg = (resource: Pick<ProtectedResource, 'organizations' | 'multiTenant'>, orgId: string | null): boolean =>
  orgId !== null && (resource.multiTenant || resource.organizations.includes(orgId));
