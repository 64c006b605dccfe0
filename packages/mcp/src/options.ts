/**
 * Configuration of a protected MCP server and its startup validation. A
 * mistake here (unknown scope, relative resource URI, no verifier) is a
 * startup error, never a request-time surprise.
 */
import { canonicalResourceUri, type Clock } from '@gatehouse-auth/core';
import type { GatedMcpServer, GatedOperations } from './gated-server.ts';
import type { DecisionRecord, Policy } from './policy.ts';
import type { RefusedTokens } from './refused-tokens.ts';
import { scopesNamedBy } from './requirements.ts';
import type { TokenVerifier } from './verification/types.ts';
import type { CallGate } from './call-gate.ts';
import type { IntrospectionVerifierOptions } from './verification/introspection-verifier.ts';
import type { JwtVerifierOptions } from './verification/jwt-verifier.ts';
import { orgCheckOf, withTenantIsolation, type OrgCheck, type OrganizationOptions } from './organizations.ts';

/** Everything but the server: what a guard in front of any MCP endpoint (a gateway) needs. */
export interface McpGuardOptions extends OrganizationOptions {
  /** The gates of the operations behind this endpoint (GatedMcpServer.operations()). */
  operations: GatedOperations;
  /** The authorization server's issuer identifier. */
  issuer: string;
  /** This server's canonical resource URI (RFC 8707), e.g. https://mcp.example.com/mcp. */
  resource: string;
  /** Every scope this server understands; advertised in PRM (minus offline_access). */
  scopesSupported: string[];
  /** Needed for ANY request. Empty (default): any authenticated caller connects. */
  requiredScopes?: string[];
  resourceName?: string;
  /** Opaque tokens via RFC 7662 introspection. */
  introspection?: Omit<IntrospectionVerifierOptions, 'issuer' | 'resource' | 'clock' | 'onError'>;
  /** JWT access tokens via the AS's JWKS. */
  jwt?: Omit<JwtVerifierOptions, 'issuer' | 'resource' | 'clock' | 'onError'>;
  /** A verifier of your own (takes precedence). */
  verifier?: TokenVerifier;
  /** Server-wide runtime policy, evaluated before each operation's own. */
  policy?: Policy;
  /**
   * Gates run in order after the scope check and the policy allowed a call
   * (call-gate.ts): rate limits, human approval. The first that answers
   * wins and the handler never runs.
   */
  callGates?: CallGate[];
  /**
   * Every decision: a denial when it is made (the handler never runs), an
   * allowed operation once it has run, with its outcome ('success' or
   * 'error') and duration. If recording an allowed operation throws, the
   * caller gets a JSON-RPC internal error instead of the result. Each
   * record is made for this call alone: the callee may keep it, or add to it.
   */
  onDecision?: (record: DecisionRecord) => void | Promise<void>;
  /**
   * Refused bearer tokens (401 invalid_token), counted per (client, reason)
   * and reported once per window with the count (refused-tokens.ts), so a
   * flood of bad tokens yields a bounded number of reports.
   */
  onRefusedTokens?: (refusals: RefusedTokens) => void | Promise<void>;
  /** The aggregation window of onRefusedTokens; default 10,000 ms. */
  refusedTokenWindowMs?: number;
  /** Operational errors (AS unreachable, stream dropped). Never contains tokens. */
  onError?: (error: unknown) => void;
  /**
   * Browser origins allowed to call the MCP endpoint (Streamable HTTP: servers
   * MUST validate Origin against DNS rebinding). Default: the resource's own
   * origin. Requests without an Origin header (non-browser clients) pass.
   */
  allowedOrigins?: string[] | '*';
  /**
   * Hand authenticated GET (standalone SSE stream, resumption with
   * Last-Event-ID) and DELETE (end of a session) on as `proceed` instead of
   * answering 405: for a gateway in front of a stateful server. Default
   * false (a stateless server has neither).
   */
  forwardSessionRequests?: boolean;
  /** Largest POST body read, default 1 MiB. */
  maxBodyBytes?: number;
  clock?: Clock;
}

export interface ProtectMcpOptions extends Omit<McpGuardOptions, 'operations'> {
  server: GatedMcpServer;
}

export interface ResolvedOptions extends McpGuardOptions {
  resource: string;
  mcpPath: string;
  requiredScopes: string[];
  /** Whether a verified token's org is one this server serves (organizations.ts). */
  servesOrg: OrgCheck;
}

export function resolveOptions(options: McpGuardOptions): ResolvedOptions {
  const resource = canonicalResourceUri(options.resource);
  if (!resource) throw new Error(`resource must be an absolute http(s) URI without a fragment: ${options.resource}`);
  if (!canonicalResourceUri(options.issuer) || new URL(options.issuer).search) throw new Error(`issuer must be an absolute http(s) URL without query: ${options.issuer}`);
  if (!options.verifier && !options.introspection && !options.jwt) throw new Error('configure introspection, jwt or a verifier');
  const supported = new Set(options.scopesSupported);
  const requiredScopes = options.requiredScopes ?? [];
  const unknown = (scopes: string[], where: string) => {
    const missing = scopes.filter((scope) => !supported.has(scope));
    if (missing.length > 0) throw new Error(`${where} requires ${missing.join(', ')}, which is not in scopes_supported`);
  };
  unknown(requiredScopes, 'the server');
  const operations = options.operations;
  for (const [name, gate] of operations.tools) unknown(scopesNamedBy(gate.requires), `tool ${name}`);
  for (const [name, gate] of operations.prompts) unknown(scopesNamedBy(gate.requires), `prompt ${name}`);
  for (const [uri, gate] of operations.resources) unknown(scopesNamedBy(gate.requires), `resource ${uri}`);
  for (const { template, gate } of operations.templates) unknown(scopesNamedBy(gate.requires), `resource template ${template.uriTemplate.toString()}`);
  const mcpPath = new URL(resource).pathname || '/';
  const servesOrg = orgCheckOf(options);
  const policy = withTenantIsolation(options, options.policy);
  return { ...options, ...(policy ? { policy } : {}), resource, mcpPath, requiredScopes, servesOrg };
}
