/**
 * The gateway's config (issue 14): `upstreams:` (MCP servers nobody wants to
 * modify, each a protected resource behind the gateway) and `gateway:`
 * (where the gateway listens and its public URL), in gatehouse.yaml for
 * `gatehouse serve`, or in a gateway.yaml of its own for `gatehouse gateway`.
 * Secrets (upstream headers, client secrets) come from environment
 * variables; literals are for development.
 */
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');
const fromEnv = z.strictObject({ from_env: envName });
/** A literal, or `{ from_env: NAME }` read at start. */
export const valueSchema = z.union([z.string(), fromEnv]);

const constraintSchema = z.strictObject({
  path_under: z.string().min(1).optional().describe('The argument (or each element of an array argument) is a path inside this directory after normalisation; {subject} and {org} name the caller.'),
  enum: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .optional()
    .describe('The argument is one of these values.'),
  max_length: z.number().int().positive().optional().describe('The argument, as text, has at most this many characters.'),
});

const ruleSchema = z.strictObject({
  name: z.string().describe('Tool or prompt name, or resource URI; * matches any run of characters, ? one.'),
  scopes: z.array(z.string()).default([]).describe('Scopes the caller must all hold; empty: any caller of this upstream.'),
  deny: z.boolean().default(false).describe('Hidden and refused whatever the scopes.'),
  arguments: z.record(z.string(), constraintSchema).optional().describe('Constraints on named arguments (tools and prompts).'),
});

export const upstreamPolicySchema = z.strictObject({
  default: z
    .union([z.literal('deny'), z.strictObject({ scope: z.string() })])
    .default('deny')
    .describe('For what no rule names: deny (hidden and refused), or allowed to holders of one scope.'),
  tools: z.array(ruleSchema).default([]),
  resources: z.array(ruleSchema).default([]),
  prompts: z.array(ruleSchema).default([]),
});

const sessionsSchema = z.strictObject({
  idle_timeout_seconds: z.number().int().positive().default(900).describe('A session with no request for this long is closed with its process.'),
  max_per_user: z.number().int().positive().default(5),
  max_total: z.number().int().positive().default(100),
});

const stdioSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]).describe('{subject} and {org} become the caller’s user id and org id (one directory per user).'),
  env: z.record(envName, valueSchema).default({}).describe('The process environment on top of a safe default (PATH, HOME…); never the gateway’s own.'),
  cwd: z.string().optional(),
  sessions: sessionsSchema.default({ idle_timeout_seconds: 900, max_per_user: 5, max_total: 100 }),
});

const httpSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('The upstream’s Streamable HTTP endpoint.'),
  headers: z.record(z.string(), valueSchema).default({}).describe('Sent to the upstream on every request (e.g. an API key from_env). The user’s token never is.'),
  client_credentials: z
    .strictObject({
      token_endpoint: z.url(),
      client_id: z.string().min(1),
      client_secret_env: envName,
      scope: z.string().optional(),
      resource: z.string().optional(),
    })
    .optional()
    .describe('The gateway obtains (and renews) its own access token for the upstream.'),
});

const cedarSchema = z.strictObject({
  files: z.array(z.string().min(1)).min(1).describe('Cedar policy files (docs/policy.md), relative to this config file.'),
  time_zone: z.string().optional().describe('IANA time zone of context.hour, context.weekday… (default UTC).'),
  environment: z.string().optional().describe('context.environment (default production).'),
  tags: z.record(z.string(), z.array(z.string())).default({}).describe('Tags per tool, prompt or resource URI (resource.tags in policies).'),
});

const rateLimitSchema = z.strictObject({
  tool: z.string().min(1).optional().describe('The tool this limit counts; absent: every tool, each counted on its own.'),
  per: z.enum(['principal', 'agent', 'principal_agent']).describe('Whose calls share one bucket: the user, the agent (OAuth client), or the pair.'),
  limit: z.number().int().positive().describe('Calls allowed per window (the bucket’s capacity).'),
  window_seconds: z.number().positive(),
});

const approvalsSchema = z.strictObject({
  state_key_env: envName.describe('Environment variable holding the 32-byte key (base64url) that seals the request state; the same on every gateway instance.'),
  ttl_seconds: z.number().int().positive().max(300).optional().describe('How long a person has to approve (at most 300 s, the default).'),
  tools: z
    .record(
      z.string(),
      z.strictObject({
        approver_roles: z.array(z.string()).default([]).describe('Members of the token’s org with one of these roles may approve, besides the person the agent acts for.'),
        self_approval: z.boolean().default(true).describe('false: four eyes, the person the agent acts for cannot approve their own call.'),
      }),
    )
    .describe('Tools whose every call waits for a person’s approval (docs/approvals.md).'),
});

export const upstreamSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower case letters, digits, - and _'),
    path: z.string().regex(/^\/[A-Za-z0-9/_-]*$/, 'an absolute path, e.g. /files/mcp'),
    resource_name: z.string().optional(),
    scopes: z.array(z.string()).optional().describe('Scopes the upstream understands. Under `gatehouse serve`: default the scopes of its resource in `resources:`.'),
    required_scopes: z.array(z.string()).default([]),
    organizations: z.array(z.string()).optional().describe('Org ids (gateway.yaml) or, under `gatehouse serve`, default the organizations of its resource.'),
    stdio: stdioSchema.optional(),
    http: httpSchema.optional(),
    policy: upstreamPolicySchema,
    cedar: cedarSchema.optional().describe('Cedar policies decided per call after the scope check (gateway.yaml; under `gatehouse serve` the policy: block of the upstream’s resource is used).'),
    rate_limits: z.array(rateLimitSchema).default([]).describe('Token buckets per user or agent and tool; exceeded: a JSON-RPC error with a retry hint.'),
    approvals: approvalsSchema.optional(),
  })
  .superRefine((upstream, ctx) => {
    if (!upstream.stdio === !upstream.http) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of stdio and http' });
  });

export const gatewayListenSchema = z.strictObject({
  public_url: z.url({ protocol: /^https?$/ }).describe("The gateway's public origin; an upstream's resource URI is this plus its path."),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(4100),
  rate_limit_redis_url_env: envName.optional().describe('Environment variable holding a redis:// URL: rate-limit buckets shared by every gateway process on it (default: counted in this process).'),
});

/** gateway.yaml, for `gatehouse gateway`. */
export const gatewayFileSchema = z.strictObject({
  $schema: z.string().optional(),
  issuer: z.url({ protocol: /^https?$/ }),
  gateway: gatewayListenSchema,
  introspection: z.strictObject({ client_id: z.string().min(1), client_secret_env: envName.optional(), client_secret: z.string().min(16).optional() }),
  upstreams: z.array(upstreamSchema).min(1),
  audit: z
    .strictObject({
      database_url_env: envName.optional().describe('Environment variable holding the audit database URL (it may carry a password).'),
      database_url: z.string().min(1).optional().describe('The audit database URL, e.g. sqlite:./gateway-audit.sqlite or postgres://…'),
    })
    .optional()
    .describe('Write every decision to a hash-chained audit log in this database (GATEHOUSE_AUDIT_KEY_FILE signs its checkpoints, as for serve). Without it decisions are log lines.'),
});

export type UpstreamConfig = z.output<typeof upstreamSchema>;
export type GatewayFileConfig = z.output<typeof gatewayFileSchema>;
export type GatewayListenConfig = z.output<typeof gatewayListenSchema>;
