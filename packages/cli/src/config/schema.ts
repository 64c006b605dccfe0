/**
 * The shape of gatehouse.yaml. Every object is strict so a misspelt key is
 * an error with a line number, not a silently ignored setting. Keys are
 * snake_case (YAML convention); `toServerOptions` maps `server:` onto the
 * camelCase AuthorizationServerOptions. docs/configuration.md mirrors this.
 */
import { z } from 'zod';
import { orgSsoFields } from './schema-org-sso.ts';
import { approvalsServerSchema } from './approvals-schema.ts';
import { resourcePolicySchema } from './policy-schema.ts';
import { gatewayListenSchema, upstreamSchema } from './upstreams-schema.ts';

const name = z.string().min(1).max(200);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');
const seconds = z.number().int().positive();

export const roleSchema = z.strictObject({
  name: name.regex(/^[A-Za-z][A-Za-z0-9 _-]*$/, 'letters, digits, space, _ and - only'),
  description: z.string().default(''),
  permissions: z.array(z.string().min(1)).default([]).describe('Returned by introspection as users_org_permissions.'),
});

export const scopeSchema = z
  .strictObject({
    // The same grammar as core's isCatalogueScopeName, as a regex so the JSON Schema carries it.
    name: z.string().regex(/^[a-z][a-z0-9_-]*(?::[a-z][a-z0-9_-]*){1,2}$/, 'must be resource:verb[:qualifier] in lower case'),
    kind: z.enum(['user', 'org']).default('org').describe('org: granted within an organization, limited by role; user: about the person only.'),
    allowed_roles: z.array(z.string()).default([]).describe('Roles whose members may grant this org scope; empty means every role.'),
    sensitivity: z.enum(['routine', 'sensitive', 'critical']).default('routine').describe('Picks the access token lifetime; critical scopes are re-consented periodically.'),
    required: z.boolean().default(false).describe('Required scopes cannot be unticked on the consent screen; every other scope can (issue 16).'),
    optional: z.boolean().optional().describe('Deprecated: every scope that is not required is optional. optional: false still means required.'),
    description: z.string().default('').describe('Shown to people on the consent screen.'),
    max_grant_lifetime_days: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('A grant holding this scope lasts at most this many days from the consent, however often it is refreshed (default: server.grant_lifetime_days by sensitivity).'),
    reconsent_after_days: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Consent to this scope is asked again after this many days, at authorization and at refresh (default: server.critical_reconsent_days for critical scopes, never for others).'),
  })
  .superRefine((scope, ctx) => {
    if (scope.required && scope.optional === true) ctx.addIssue({ code: 'custom', path: ['optional'], message: 'a scope cannot be both required: true and optional: true' });
  });

/** Whether people may untick the scope: all may but required ones (and ones an old file marks optional: false). */
export const isOptionalScope = (scope: z.infer<typeof scopeSchema>): boolean => !scope.required && scope.optional !== false;

const operationMap = z.record(z.string().min(1), z.array(z.string()).min(1, 'list the scopes this operation requires')).default({});

export const resourceSchema = z
  .strictObject({
    uri: z.url({ protocol: /^https?$/ }).describe('Canonical resource URI of the MCP server (RFC 8707), e.g. https://mcp.example.com/mcp'),
    name: name,
    scopes: z.array(z.string()).default([]),
    operations: z
      .strictObject({ tools: operationMap, resources: operationMap, prompts: operationMap })
      .optional()
      .describe('What each tool, resource (by URI) and prompt of this MCP server requires, as its SDK declares it (requireScopes); the consent screen lists them under each scope.'),
    organizations: z.array(z.string()).default([]).describe('Slugs of the organizations this resource serves: tokens are issued only to their members (and service agents) acting in them.'),
    policy: resourcePolicySchema.optional().describe('Cedar policies this resource enforces per call (docs/policy.md).'),
    multi_tenant: z.boolean().default(false).describe("Serves every organization instead; the resource server must then keep tenants apart by the token's org_id (SDK: tenantIsolation)."),
  })
  .superRefine((resource, ctx) => {
    for (const kind of ['tools', 'resources', 'prompts'] as const) {
      for (const [operation, scopes] of Object.entries(resource.operations?.[kind] ?? {})) {
        scopes.forEach((scope, i) => {
          if (!resource.scopes.includes(scope)) ctx.addIssue({ code: 'custom', path: ['operations', kind, operation, i], message: `${scope} is not one of this resource's scopes` });
        });
      }
    }
    // Issue 10: a resource that belongs to no one would be reachable from every org by role name alone.
    if (resource.multi_tenant && resource.organizations.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['organizations'], message: 'give organizations or multi_tenant: true, not both' });
    }
    if (!resource.multi_tenant && resource.organizations.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['organizations'], message: 'a resource must name the organizations it serves (organizations: [slug, ...]) or be multi_tenant: true' });
    }
  });

const clientHostName = z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, 'a lower-case host name such as claude.ai (no scheme, port or path)');

/**
 * Which AI clients may reach the org's resources (issue 16). Absent: the
 * config leaves the policy to the admin API and CLI. Present: the file owns
 * the mode and the allow/block rules (pending requests are kept).
 */
export const orgClientPolicySchema = z
  .strictObject({
    allow: z.array(z.string().min(1).max(2048)).default([]).describe("Client ids allowed (a metadata-document client's id is its URL). Any allow entry makes the org an allowlist."),
    allow_hosts: z.array(clientHostName).default([]).describe('Hosts whose metadata-document clients are allowed, e.g. claude.ai, cursor.com (exact host, no subdomains).'),
    block: z.array(z.string().min(1).max(2048)).default([]).describe('Client ids blocked: their tokens in this org are revoked when the config is applied.'),
    block_hosts: z.array(clientHostName).default([]).describe('Hosts whose metadata-document clients are blocked.'),
    require_approval: z.boolean().default(false).describe('A client not allowed yet is held pending until an org admin approves it, instead of refused.'),
  })
  .describe('Client control for this organization; absent means any client (open) unless set through the admin API.');

export const organizationSchema = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
  name: name,
  /** null or absent keeps audit records forever. */
  audit_retention_days: z.number().int().positive().nullable().default(null),
  clients: orgClientPolicySchema.optional(),
  ...orgSsoFields,
});

export const signupSchema = z.strictObject({
  public: z.boolean().default(false),
  allowed_email_domains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain like example.com')).default([]),
});

export const clientSchema = z
  .strictObject({
    client_id: z.string().min(1).max(255),
    name: name,
    redirect_uris: z.array(z.url()).default([]),
    grant_types: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).default(['authorization_code', 'refresh_token']),
    token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
    /** Name of the environment variable holding the secret (production). */
    secret_env: envName.optional(),
    /** Literal secret: development examples only; refused by `serve` for a public issuer. */
    secret: z.string().min(16, 'a client secret needs at least 16 characters').optional(),
    application_type: z.enum(['native', 'web']).default('web'),
    /** Space-separated scopes the client may request; absent means any the resource supports. */
    scope: z.string().optional(),
    /** Service agents (client_credentials) act in one organization with their own roles. */
    org: z.string().optional(),
    roles: z.array(z.string()).default([]),
    /** Issue 10: only these clients may introspect (their resources' tokens) and follow the revocation stream (their events). */
    resource_server_for: z
      .array(z.string())
      .default([])
      .describe('Resource URIs this confidential client is the resource server for: it may introspect their tokens and follow their revocation events.'),
  })
  .superRefine((client, ctx) => {
    const confidential = client.token_endpoint_auth_method !== 'none';
    if (confidential && !client.secret_env && !client.secret) {
      ctx.addIssue({ code: 'custom', path: ['secret_env'], message: `a ${client.token_endpoint_auth_method} client needs secret_env (or secret in development)` });
    }
    if (!confidential && (client.secret_env || client.secret)) {
      ctx.addIssue({ code: 'custom', path: ['token_endpoint_auth_method'], message: 'a public client (none) must not have a secret' });
    }
    if (client.secret_env && client.secret) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'give either secret_env or secret, not both' });
    }
    const service = client.grant_types.includes('client_credentials');
    if (service && !confidential) ctx.addIssue({ code: 'custom', path: ['grant_types'], message: 'client_credentials needs a confidential client' });
    if (service && !client.org) ctx.addIssue({ code: 'custom', path: ['org'], message: 'a client_credentials service agent needs org' });
    if (!service && (client.org || client.roles.length > 0)) {
      ctx.addIssue({ code: 'custom', path: ['org'], message: 'org and roles are for client_credentials service agents only' });
    }
    if (client.resource_server_for.length > 0 && !confidential) {
      ctx.addIssue({ code: 'custom', path: ['resource_server_for'], message: 'a resource server must be a confidential client (it authenticates to introspect)' });
    }
    if (client.grant_types.includes('authorization_code') && client.redirect_uris.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: 'an authorization_code client needs at least one redirect URI' });
    }
  });

export const membershipSchema = z.strictObject({
  org: z.string(),
  roles: z.array(z.string()).default([]),
});

export const userSchema = z.strictObject({
  email: z.email().transform((e) => e.toLowerCase()),
  name: name,
  /** Literal password: development only (hashed with argon2id on apply). */
  password: z.string().min(10, 'a password needs at least 10 characters').max(256).optional(),
  password_env: envName.optional(),
  /** true disables, false enables; absent leaves the status alone (an operator's `users disable` survives re-applying). */
  disabled: z.boolean().optional(),
  memberships: z.array(membershipSchema).default([]),
});

export const serverSchema = z.strictObject({
  access_token_ttl: z.strictObject({ routine: seconds.optional(), sensitive: seconds.optional(), critical: seconds.optional() }).optional(),
  refresh_token_ttl: seconds.optional(),
  refresh_grace_ms: z.number().int().nonnegative().optional(),
  code_ttl: seconds.max(600, 'RFC 6749 §4.1.2 recommends at most 10 minutes').optional(),
  critical_reconsent_days: seconds.optional(),
  grant_lifetime_days: z
    .strictObject({ routine: seconds.optional(), sensitive: seconds.optional(), critical: seconds.optional() })
    .optional()
    .describe("A grant's absolute lifetime in days by its most sensitive scope, from the consent; refreshing never extends it. Default 365 / 180 / 180."),
  access_token_format: z.enum(['opaque', 'jwt']).optional(),
  session_ttl: seconds.optional(),
  login_throttle: z.strictObject({ per_account: seconds.optional(), per_account_all_networks: seconds.optional(), per_ip: seconds.optional(), window_seconds: seconds.optional() }).optional(),
  max_body_bytes: seconds.optional(),
  registration_rate_limit_per_minute: seconds.optional(),
  cimd: z
    .strictObject({
      enabled: z.boolean().optional(),
      allow_loopback: z.boolean().optional(),
      timeout_ms: seconds.optional(),
      max_bytes: seconds.optional(),
      min_cache_seconds: z.number().int().nonnegative().optional(),
      max_cache_seconds: seconds.optional(),
    })
    .optional(),
  dynamic_registration: z.strictObject({ enabled: z.boolean().optional(), max_body_bytes: seconds.optional(), max_redirect_uris: seconds.optional() }).optional(),
  allow_insecure_issuer: z.boolean().optional(),
  revocation_stream_ping_ms: seconds.optional(),
  revocation_streams_per_client: seconds.optional(),
  introspection_cache_ms: z.number().int().nonnegative().optional(),
  approvals: approvalsServerSchema.optional().describe('Per-call human approvals (docs/approvals.md).'),
  grant_expiry_sweep_seconds: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('How often grants and time-boxed scopes that ended by themselves are recorded (audit record, tokens revoked); 0 leaves it to refreshes. Default 30.'),
  trust_proxy: z
    .union([z.boolean(), z.number().int().nonnegative(), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('Reverse proxies whose X-Forwarded-For/-Proto count: true (one hop), a hop count, or addresses/CIDRs (loopback, linklocal, uniquelocal too). Default: none.'),
});

/** SIEM delivery of audit records (docs/audit.md): syslog over TCP or TLS (RFC 5425), OTLP/HTTP logs. */
export const siemSchema = z.strictObject({
  syslog: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).describe('6514 is the RFC 5425 port for syslog over TLS.'),
      tls: z.boolean().default(true).describe('RFC 5425 syslog over TLS (default); false sends plain TCP (RFC 6587).'),
      ca_file: z.string().optional().describe('PEM CA bundle to verify the receiver with; default the system CAs.'),
      cert_file: z.string().optional().describe('Client certificate (PEM) for mutual TLS.'),
      key_file: z.string().optional().describe('Client key (PEM) for mutual TLS.'),
      app_name: z.string().max(48).optional(),
      enterprise_id: z.number().int().positive().optional().describe('Your IANA private enterprise number for the structured-data id; default 32473 (documentation).'),
      max_queue: seconds.optional().describe('Messages buffered while the receiver is away (default 100000); past it the oldest are dropped and counted.'),
    })
    .optional(),
  otlp: z
    .strictObject({
      endpoint: z.url({ protocol: /^https?$/ }).describe('Collector base URL; records are POSTed to <endpoint>/v1/logs as OTLP JSON.'),
      headers_env: z.record(z.string().min(1), envName).default({}).describe('Request headers whose values come from environment variables (e.g. authorization: OTLP_AUTH).'),
      service_name: z.string().min(1).optional(),
      max_queue: seconds.optional().describe('Records buffered while the collector fails (default 10000); past it the oldest are dropped and counted.'),
    })
    .optional(),
});

export const configSchema = z.strictObject({
  /** JSON Schema pointer for editors; ignored by Gatehouse. */
  $schema: z.string().optional(),
  issuer: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Issuer identifier (RFC 8414 §2). https except on loopback. Default in dev: http://127.0.0.1:4000'),
  server: serverSchema.default({}).describe('Authorization server settings; every key defaults as in docs/configuration.md.'),
  roles: z.array(roleSchema).default([]).describe('Roles members of any organization can hold.'),
  scopes: z.array(scopeSchema).default([]).describe('The scope catalogue: resource:verb[:qualifier].'),
  resources: z.array(resourceSchema).default([]).describe('Protected resources (MCP servers) and the scopes each supports.'),
  organizations: z.array(organizationSchema).default([]).describe('Organizations; users act within one.'),
  signup: signupSchema.default({ public: false, allowed_email_domains: [] }).describe('Who may create an account.'),
  clients: z.array(clientSchema).default([]).describe('Pre-registered OAuth clients and service agents.'),
  users: z.array(userSchema).default([]).describe('Seeded accounts (development); production users come from signup, SSO or SCIM.'),
  siem: siemSchema.default({}).describe('Where audit records are streamed besides the database: syslog (TLS) and OTLP.'),
  upstreams: z.array(upstreamSchema).default([]).describe('MCP servers behind the gateway, each one of `resources:` (docs/gateway.md); needs `gateway:`.'),
  gateway: gatewayListenSchema.optional().describe('Where `gatehouse serve` runs the gateway for `upstreams:`.'),
});

export type GatehouseConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ClientConfig = z.output<typeof clientSchema>;
export type UserConfig = z.output<typeof userSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type SiemConfig = z.output<typeof siemSchema>;
