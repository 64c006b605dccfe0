/**
 * The shape of gatehouse.yaml. Every object is strict so a misspelt key is
 * an error with a line number, not a silently ignored setting. Keys are
 * snake_case (YAML convention); `toServerOptions` maps `server:` onto the
 * camelCase AuthorizationServerOptions. docs/configuration.md mirrors this.
 */
import { z } from 'zod';

const name = z.string().min(1).max(200);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');
const seconds = z.number().int().positive();

export const roleSchema = z.strictObject({
  name: name.regex(/^[A-Za-z][A-Za-z0-9 _-]*$/, 'letters, digits, space, _ and - only'),
  description: z.string().default(''),
  permissions: z.array(z.string().min(1)).default([]).describe('Returned by introspection as users_org_permissions.'),
});

export const scopeSchema = z.strictObject({
  // The same grammar as core's isCatalogueScopeName, as a regex so the JSON Schema carries it.
  name: z.string().regex(/^[a-z][a-z0-9_-]*(?::[a-z][a-z0-9_-]*){1,2}$/, 'must be resource:verb[:qualifier] in lower case'),
  kind: z.enum(['user', 'org']).default('org').describe('org: granted within an organization, limited by role; user: about the person only.'),
  allowed_roles: z.array(z.string()).default([]).describe('Roles whose members may grant this org scope; empty means every role.'),
  sensitivity: z.enum(['routine', 'sensitive', 'critical']).default('routine').describe('Picks the access token lifetime; critical scopes are re-consented periodically.'),
  optional: z.boolean().default(false).describe('Optional scopes can be unticked on the consent screen.'),
  description: z.string().default('').describe('Shown to people on the consent screen.'),
});

export const resourceSchema = z.strictObject({
  uri: z.url({ protocol: /^https?$/ }).describe('Canonical resource URI of the MCP server (RFC 8707), e.g. https://mcp.example.com/mcp'),
  name: name,
  scopes: z.array(z.string()).default([]),
});

export const organizationSchema = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
  name: name,
  /** null or absent keeps audit records forever. */
  audit_retention_days: z.number().int().positive().nullable().default(null),
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
  access_token_format: z.enum(['opaque', 'jwt']).optional(),
  session_ttl: seconds.optional(),
  login_throttle: z.strictObject({ per_account: seconds.optional(), per_ip: seconds.optional(), window_seconds: seconds.optional() }).optional(),
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
  introspection_cache_ms: z.number().int().nonnegative().optional(),
  trust_proxy: z
    .union([z.boolean(), z.number().int().nonnegative(), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('Reverse proxies whose X-Forwarded-For/-Proto count: true (one hop), a hop count, or addresses/CIDRs (loopback, linklocal, uniquelocal too). Default: none.'),
});

export const configSchema = z.strictObject({
  /** JSON Schema pointer for editors; ignored by Gatehouse. */
  $schema: z.string().optional(),
  issuer: z.url({ protocol: /^https?$/ }).optional().describe('Issuer identifier (RFC 8414 §2). https except on loopback. Default in dev: http://127.0.0.1:4000'),
  server: serverSchema.default({}).describe('Authorization server settings; every key defaults as in docs/configuration.md.'),
  roles: z.array(roleSchema).default([]).describe('Roles members of any organization can hold.'),
  scopes: z.array(scopeSchema).default([]).describe('The scope catalogue: resource:verb[:qualifier].'),
  resources: z.array(resourceSchema).default([]).describe('Protected resources (MCP servers) and the scopes each supports.'),
  organizations: z.array(organizationSchema).default([]).describe('Organizations; users act within one.'),
  signup: signupSchema.default({ public: false, allowed_email_domains: [] }).describe('Who may create an account.'),
  clients: z.array(clientSchema).default([]).describe('Pre-registered OAuth clients and service agents.'),
  users: z.array(userSchema).default([]).describe('Seeded accounts (development); production users come from signup, SSO or SCIM.'),
});

export type GatehouseConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ClientConfig = z.output<typeof clientSchema>;
export type UserConfig = z.output<typeof userSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
