/**
 * The storage contract. Per-aggregate interfaces with named atomic
 * operations (consumeCode, rotateRefresh, revokeGrant): the protocol layer
 * never sees SQL and never composes read-then-write races itself.
 * One Kysely implementation serves SQLite and PostgreSQL; the conformance
 * suite in test/conformance runs against both.
 */
import type {
  AuthorizationCode,
  ClientPolicyMode,
  ClientRuleKind,
  OrgClientPolicy,
  Client,
  Grant,
  LoginSession,
  Membership,
  Organization,
  ProtectedResource,
  Role,
  ScopeDefinition,
  SignupPolicy,
  SigningKey,
  TokenRecord,
  User,
  UserStatus,
} from '@gatehouse-auth/core';
import type { AuditStore } from './audit/types.ts';
import type { FederationStore } from './federation-types.ts';
import type { SamlStore } from './saml-types.ts';
import type { ScimDirectoryStore } from './scim-types.ts';
import type { ApprovalStore } from './approval-types.ts';

export type * from './approval-types.ts';

export interface UserStore {
  create(user: User): Promise<void>;
  get(id: string): Promise<User | undefined>;
  getByEmail(email: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  update(id: string, patch: Partial<Pick<User, 'name' | 'passwordHash' | 'email'>>, now: number): Promise<User | undefined>;
  setStatus(id: string, status: UserStatus, now: number): Promise<User | undefined>;
}

export interface OrgStore {
  create(org: Organization): Promise<void>;
  get(id: string): Promise<Organization | undefined>;
  getBySlug(slug: string): Promise<Organization | undefined>;
  list(): Promise<Organization[]>;
  update(id: string, patch: Partial<Pick<Organization, 'name' | 'auditRetentionDays'>>, now: number): Promise<Organization | undefined>;
  /** Inserts or replaces the member's roles. */
  upsertMembership(membership: Membership): Promise<void>;
  removeMembership(userId: string, orgId: string): Promise<boolean>;
  getMembership(userId: string, orgId: string): Promise<Membership | undefined>;
  listMembershipsOfUser(userId: string): Promise<Membership[]>;
  listMembers(orgId: string): Promise<Membership[]>;
}

export interface RoleStore {
  upsert(role: Role): Promise<void>;
  get(name: string): Promise<Role | undefined>;
  list(): Promise<Role[]>;
  delete(name: string): Promise<boolean>;
}

export interface ScopeStore {
  upsert(scope: ScopeDefinition): Promise<void>;
  get(name: string): Promise<ScopeDefinition | undefined>;
  list(): Promise<ScopeDefinition[]>;
  delete(name: string): Promise<boolean>;
}

export interface ResourceStore {
  upsert(resource: ProtectedResource): Promise<void>;
  get(uri: string): Promise<ProtectedResource | undefined>;
  list(): Promise<ProtectedResource[]>;
  delete(uri: string): Promise<boolean>;
}

export interface ClientStore {
  /** Inserts; rejects (throws DuplicateError) when the id exists. */
  create(client: Client): Promise<void>;
  /** Inserts or replaces (config-applied and metadata-document clients). */
  upsert(client: Client): Promise<void>;
  get(id: string): Promise<Client | undefined>;
  list(): Promise<Client[]>;
  setStatus(id: string, status: Client['status'], now: number): Promise<Client | undefined>;
  /**
   * Replaces the secret in one statement: the current one becomes the
   * previous one, accepted until `previousExpiresAt` (the overlap); the new
   * one expires at `secretExpiresAt` (null: never).
   */
  rotateSecret(id: string, secretHash: string, expiry: { secretExpiresAt: number | null; previousExpiresAt: number }, now: number): Promise<Client | undefined>;
  delete(id: string): Promise<boolean>;
}

export type GrantLifetime = Pick<Grant, 'expiresAt' | 'scopeExpiresAt'>;

/** Which clients an org lets in (issue 16): its mode and its rules by client id or metadata-document host. */
export interface OrgClientPolicyStore {
  /** The org's policy: `open` with no rules when none was ever set. */
  get(orgId: string): Promise<OrgClientPolicy>;
  setMode(orgId: string, mode: ClientPolicyMode, now: number): Promise<void>;
  /** Inserts or replaces one allow (or pending) rule; a block goes through `block`, which also revokes. */
  allow(orgId: string, rule: { kind: ClientRuleKind; value: string }, now: number): Promise<void>;
  removeRule(orgId: string, rule: { kind: ClientRuleKind; value: string }): Promise<boolean>;
  /** Records a client asking under `approval` as pending, unless a rule for its id exists; true when recorded. */
  addPending(orgId: string, clientId: string, now: number): Promise<boolean>;
  /**
   * Blocks a client id or host in the org and, in the same transaction,
   * revokes the matching clients' grants and tokens in that org and deletes
   * their unredeemed codes there. Other orgs are untouched.
   */
  block(orgId: string, rule: { kind: ClientRuleKind; value: string }, now: number): Promise<{ tokenHashes: string[]; grantIds: string[]; clientIds: string[] }>;
}

export interface GrantStore {
  create(grant: Grant): Promise<void>;
  get(id: string): Promise<Grant | undefined>;
  /** The live (not revoked) grant for this user × org × client × resource. */
  findActive(key: { userId: string | null; orgId: string | null; clientId: string; resource: string }): Promise<Grant | undefined>;
  listForUser(userId: string): Promise<Grant[]>;
  /** A new consent: the scopes, their consent times and, when given, the grant's new lifetime (a new prompt starts one). */
  updateScopes(id: string, scopes: string[], scopeConsentedAt: Record<string, number>, now: number, lifetime?: GrantLifetime): Promise<Grant | undefined>;
  /** Sets the grant's end and its scopes' ends (an operator's time box; a scope that ended by itself). */
  setLifetime(id: string, lifetime: GrantLifetime, now: number): Promise<Grant | undefined>;
}

export type ConsumeCodeResult =
  | { status: 'consumed'; code: AuthorizationCode }
  /** Redeemed before: the caller must treat everything issued from it as compromised. */
  | { status: 'replayed'; code: AuthorizationCode }
  | { status: 'not_found' };

export interface CodeStore {
  create(code: AuthorizationCode): Promise<void>;
  /**
   * Marks the code consumed and returns it, exactly once under any
   * concurrency. Expiry is the caller's check (it needs the code to answer).
   */
  consume(hash: string, now: number): Promise<ConsumeCodeResult>;
}

/** tokens.getWithHolder: a token and what introspection decides on. */
export interface TokenWithHolder {
  token: TokenRecord;
  /** The token's grant; absent when it has none or the row is gone. */
  grant?: Grant;
  /** The token's user; absent for service tokens or when the row is gone. */
  user?: Pick<User, 'status' | 'email'>;
  /** The user's membership of the token's org; absent when not a member (or no user or org). */
  membership?: Pick<Membership, 'roles'>;
  /** The token's client; absent when the row is gone. */
  client?: Pick<Client, 'status' | 'orgId' | 'roles'>;
}

export type RotateRefreshResult =
  | { status: 'rotated'; previous: TokenRecord }
  /** The immediate predecessor reused inside the grace window: new pair issued, nothing revoked. */
  | { status: 'rotated_in_grace'; previous: TokenRecord }
  /** Reuse outside grace: the grant and every token from it were revoked in the same transaction. */
  | { status: 'reuse_detected'; previous: TokenRecord; revokedHashes: string[] }
  /**
   * Nothing changed. `subject_inactive`: the token's user is unknown or not
   * active, or no longer a member of the token's org (read in the rotation's
   * transaction, so a concurrent disable or removal is never missed).
   */
  | { status: 'invalid'; reason: 'not_found' | 'revoked' | 'expired' | 'not_refresh' | 'subject_inactive' };

export interface TokenStore {
  /** Inserts tokens in one transaction (an access + refresh pair). */
  insert(tokens: TokenRecord[]): Promise<void>;
  /**
   * `insert` that resolves once the tokens are committed (readable), with
   * `whenDurable()`, which resolves once they survive power loss. Nothing
   * may be handed out before it resolves. Call it when ready to wait: the
   * caller first writes the token's audit record, whose WAL sync then
   * covers the tokens too, so the call finds them durable already.
   */
  insertCommitted(tokens: TokenRecord[]): Promise<{ whenDurable: () => Promise<void> }>;
  get(hash: string): Promise<TokenRecord | undefined>;
  /**
   * A token with what introspection decides on (its grant, user, membership
   * of the token's org, client), read together: one query instead of up to four.
   */
  getWithHolder(hash: string): Promise<TokenWithHolder | undefined>;
  /**
   * Exchanges refresh token `oldHash` for `issue` atomically: exactly one of
   * N concurrent callers gets `rotated`. Within `graceMs` of the rotation the
   * immediate predecessor (only it) may rotate again. Only while the token's
   * user is active and still a member of its org (`subject_inactive`).
   */
  rotateRefresh(oldHash: string, issue: TokenRecord[], now: number, graceMs: number): Promise<RotateRefreshResult>;
  /** `rotateRefresh` resolved once committed, with `whenDurable` as in `insertCommitted`. */
  rotateRefreshCommitted(oldHash: string, issue: TokenRecord[], now: number, graceMs: number): Promise<{ result: RotateRefreshResult; whenDurable: () => Promise<void> }>;
  /** Revokes one token; returns the hashes revoked (empty when unknown or already revoked). */
  revoke(hash: string, now: number): Promise<string[]>;
  /** Revokes a refresh chain's tokens: its family, under its grant (a family never spans grants; null for tokens without one). */
  revokeFamily(family: { familyId: string; grantId: string | null }, now: number): Promise<string[]>;
  revokeForUser(userId: string, now: number, orgId?: string): Promise<string[]>;
  revokeForClient(clientId: string, now: number): Promise<string[]>;
  /** Deletes tokens expired before `before`; returns how many. */
  purgeExpired(before: number): Promise<number>;
}

export interface GrantRevocationStore {
  /** Revokes the grant, every token issued under it and its unused codes, in one transaction. */
  revokeGrant(grantId: string, now: number): Promise<{ revoked: boolean; tokenHashes: string[] }>;
}

/** Grants that end by themselves (issue 16, item 1): what the expiry sweep finds and records, each end exactly once. */
export interface GrantExpiryStore {
  /** Live grants whose next unrecorded end (their own, or a scope's they still hold) is at or before `now`, earliest first. */
  endingBy(now: number, limit: number): Promise<Grant[]>;
  /**
   * Takes the scopes whose own end is at or before `now` out of the grant
   * (their ends stay in scopeExpiresAt). Exactly one of any number of
   * concurrent callers, in any process, gets them back; the others get
   * undefined, as does a revoked grant or one with no such scope.
   */
  dropEndedScopes(id: string, now: number): Promise<{ grant: Grant; scopes: string[] } | undefined>;
}

export interface SigningKeyStore {
  insert(key: SigningKey): Promise<void>;
  list(): Promise<SigningKey[]>;
  retire(kid: string): Promise<void>;
}

export interface SessionStore {
  create(session: LoginSession): Promise<void>;
  get(id: string): Promise<LoginSession | undefined>;
  revoke(id: string, now: number): Promise<void>;
  revokeForUser(userId: string, now: number): Promise<number>;
}

/** Short-lived state of an authorization request between redirects (login, org pick, consent). */
export interface InteractionStore {
  put(id: string, payload: unknown, expiresAt: number): Promise<void>;
  get<T = unknown>(id: string, now: number): Promise<T | undefined>;
  delete(id: string): Promise<void>;
}

export interface RateLimitStore {
  /** Counts a hit in the fixed window containing `now`; returns the count so far. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  reset(key: string): Promise<void>;
}

export interface SettingsStore {
  getSignupPolicy(): Promise<SignupPolicy>;
  setSignupPolicy(policy: SignupPolicy): Promise<void>;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  users: UserStore;
  orgs: OrgStore;
  roles: RoleStore;
  scopes: ScopeStore;
  resources: ResourceStore;
  clients: ClientStore;
  grants: GrantStore & GrantRevocationStore & GrantExpiryStore;
  codes: CodeStore;
  tokens: TokenStore;
  keys: SigningKeyStore;
  sessions: SessionStore;
  interactions: InteractionStore;
  rateLimits: RateLimitStore;
  settings: SettingsStore;
  clientPolicies: OrgClientPolicyStore;
  /** Enterprise sign-in per org (issue 13): linked IdP identities, domains, group mapping, identity providers. */
  federation: FederationStore;
  /** What each org's SCIM directory provisioned (packages/scim). */
  scim: ScimDirectoryStore;
  /** Per-call human approvals (approval-types.ts). */
  approvals: ApprovalStore;
  /** SAML sign-in round trips and the assertion replay cache (packages/sso). */
  saml: SamlStore;
  /** The append-only audit log (packages/audit). */
  audit: AuditStore;
  /** Runs `fn` in one transaction; the store passed to it is bound to it. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * One round trip to the database (`SELECT 1`), for readiness checks:
   * resolves when it answers, rejects with StoreUnavailableError when it
   * cannot be reached (within the pool's 5 s connect timeout on PostgreSQL).
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DuplicateError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateError';
  }
}
