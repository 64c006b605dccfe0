/**
 * Row shapes as Kysely sees them. Column names are snake_case; timestamps
 * are epoch-ms bigint (PostgreSQL hands them back as strings unless parsed,
 * see dialect.ts); arrays and records are JSON text on both engines.
 */
import type { ColumnType } from 'kysely';
import type { ExternalIdentitiesTable, OrgDomainsTable, OrgIdentityProvidersTable, OrgSsoSettingsTable, SetupLinksTable } from './federation-schema.ts';

/** A bigint epoch-ms column: written as number, read as number (or string from pg). */
type Millis = ColumnType<number | string, number, number>;
type NullableMillis = ColumnType<number | string | null, number | null, number | null>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  status: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  audit_retention_days: number | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface MembershipsTable {
  user_id: string;
  org_id: string;
  roles: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface RolesTable {
  name: string;
  description: string;
  permissions: string;
}

export interface ScopesTable {
  name: string;
  kind: string;
  allowed_roles: string;
  sensitivity: string;
  optional: number;
  description: string;
  max_grant_lifetime_days: number | null;
  reconsent_after_days: number | null;
}

export interface ResourcesTable {
  uri: string;
  name: string;
  scopes: string;
  /** JSON array of org ids (0005). */
  organizations: string;
  /** 0 or 1 (0005). */
  multi_tenant: number;
  /** JSON ResourceOperations, '{}' when not declared (0011). */
  operations: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface ClientsTable {
  id: string;
  kind: string;
  name: string;
  redirect_uris: string;
  grant_types: string;
  token_endpoint_auth_method: string;
  secret_hash: string | null;
  /** 0010: secret expiry and the previous secret during a rotation's overlap. */
  secret_expires_at: NullableMillis;
  previous_secret_hash: string | null;
  previous_secret_expires_at: NullableMillis;
  application_type: string;
  logo_uri: string | null;
  client_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  scope: string | null;
  org_id: string | null;
  roles: string;
  /** JSON array of resource URIs (0005). */
  resource_server_for: string;
  status: string;
  registration_access_token_hash: string | null;
  metadata_expires_at: NullableMillis;
  created_at: Millis;
  updated_at: Millis;
}

export interface GrantsTable {
  id: string;
  user_id: string | null;
  org_id: string | null;
  client_id: string;
  resource: string;
  scopes: string;
  scope_consented_at: string;
  expires_at: NullableMillis;
  scope_expires_at: string;
  created_at: Millis;
  updated_at: Millis;
  revoked_at: NullableMillis;
  /** Migration 0018: when the next unrecorded end falls (grant-ends.ts); the expiry sweep's index. */
  ends_next_at: NullableMillis;
}

export interface CodesTable {
  hash: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  org_id: string | null;
  redirect_uri: string;
  code_challenge: string;
  resource: string;
  scopes: string;
  session_id: string | null;
  auth_time: Millis;
  created_at: Millis;
  expires_at: Millis;
  consumed_at: NullableMillis;
}

export interface TokensTable {
  hash: string;
  kind: string;
  format: string;
  grant_id: string | null;
  family_id: string;
  client_id: string;
  user_id: string | null;
  org_id: string | null;
  resource: string;
  scopes: string;
  created_at: Millis;
  expires_at: Millis;
  revoked_at: NullableMillis;
  rotated_at: NullableMillis;
  parent_hash: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk: string;
  status: string;
  created_at: Millis;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: Millis;
  expires_at: Millis;
  revoked_at: NullableMillis;
}

export interface InteractionsTable {
  id: string;
  payload: string;
  expires_at: Millis;
}

export interface RateLimitsTable {
  key: string;
  window_start: Millis;
  count: ColumnType<number | string, number, number>;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** 0009: an org's client policy mode; no row means open. */
export interface OrgClientPoliciesTable {
  org_id: string;
  mode: string;
  updated_at: Millis;
}

/** 0009: one client id or host an org allowed, blocked or holds pending. */
export interface OrgClientRulesTable {
  org_id: string;
  kind: string;
  value: string;
  decision: string;
  updated_at: Millis;
}

/** 0014: a user as an org's SCIM directory knows them. */
export interface ScimUsersTable {
  org_id: string;
  user_id: string;
  user_name: string;
  user_name_key: string;
  external_id: string | null;
  active: number;
  owns_account: number;
  attributes: string;
  version: number;
  created_at: Millis;
  updated_at: Millis;
}

/** 0014: a group an org's SCIM directory pushed. */
export interface ScimGroupsTable {
  id: string;
  org_id: string;
  display_name: string;
  external_id: string | null;
  version: number;
  created_at: Millis;
  updated_at: Millis;
}

/** 0014: one member of a SCIM group. */
export interface ScimGroupMembersTable {
  group_id: string;
  user_id: string;
}

/** 0015: an org's SCIM bearer token (SHA-256). */
export interface ScimTokensTable {
  org_id: string;
  token_hash: string;
  created_at: Millis;
  rotated_at: NullableMillis;
}

/** 0016: per-call human approvals (approval-types.ts). */
export interface ApprovalsTable {
  id: string;
  grant_id: string | null;
  subject: string;
  user_id: string | null;
  org_id: string | null;
  client_id: string;
  resource: string;
  tool: string;
  arguments: string;
  arguments_sha256: string;
  approver_roles: string;
  /** 1: the token's own person may decide; 0: four eyes, an approver role holder other than them. */
  self_approval: number;
  status: string;
  decided_by: string | null;
  created_at: Millis;
  expires_at: Millis;
  decided_at: NullableMillis;
  consumed_at: NullableMillis;
}

export interface Database {
  users: UsersTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  roles: RolesTable;
  scopes: ScopesTable;
  resources: ResourcesTable;
  clients: ClientsTable;
  grants: GrantsTable;
  authorization_codes: CodesTable;
  tokens: TokensTable;
  signing_keys: SigningKeysTable;
  login_sessions: SessionsTable;
  interactions: InteractionsTable;
  rate_limits: RateLimitsTable;
  settings: SettingsTable;
  org_client_policies: OrgClientPoliciesTable;
  org_client_rules: OrgClientRulesTable;
  external_identities: ExternalIdentitiesTable;
  org_domains: OrgDomainsTable;
  org_sso_settings: OrgSsoSettingsTable;
  org_identity_providers: OrgIdentityProvidersTable;
  setup_links: SetupLinksTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  scim_tokens: ScimTokensTable;
  approvals: ApprovalsTable;
  saml_states: SamlStatesTable;
  saml_assertions: SamlAssertionsTable;
}

/** 0019: SAML round-trip state, taken once. */
export interface SamlStatesTable {
  id: string;
  payload: string;
  expires_at: Millis;
}

/** 0019: the SAML assertion replay cache. */
export interface SamlAssertionsTable {
  key: string;
  expires_at: Millis;
}
