/**
 * The gateway: several upstream MCP servers under paths of one origin, each
 * its own protected resource (canonical URI, RFC 9728 metadata, scopes,
 * organizations) guarded by the SDK's `createMcpGuard`, so tokens are
 * verified, refused and challenged exactly as for a server written with
 * @gatehouse-auth/mcp. After the guard: the policy's gates have already
 * decided calls (403 step-up or JSON-RPC -32003, audited); lists are
 * filtered per caller; everything else passes through to the upstream
 * with the gateway's credentials. Revocation events close the sessions of
 * whoever lost access.
 */
import { tokenHash, type DecisionRecord, type RevocationEvent } from '@gatehouse-auth/core';
import {
  basicAuthorization,
  type CallGate,
  createMcpGuard,
  extractBearer,
  heldScopes,
  pathOf,
  RevocationStream,
  type McpGuard,
  type McpGuardOptions,
  type OrganizationOptions,
  type Policy,
  type RequestHead,
  type RequestInfo,
} from '@gatehouse-auth/mcp';
import { rpcError, idOf } from './errors.ts';
import { HttpUpstream } from './http-upstream.ts';
import { filterListResponse, isListMethod } from './list-filter.ts';
import { ownerOf, revokedBy } from './owner.ts';
import { StdioUpstream, type SessionLimits } from './stdio-upstream.ts';
import type { StdioCommand } from './stdio-session.ts';
import type { NodeRequestHead } from './node-request.ts';
import { refuseUnseenTarget } from './target-check.ts';
import type { HeldAnswer, Upstream, UpstreamRequest } from './upstream.ts';
import type { UpstreamCredentialOptions } from './upstream-credentials.ts';
import { compilePolicy, PolicyError, type CompiledPolicy, type UpstreamPolicy } from './upstream-policy.ts';

/** The SDK's decision record, with the upstream that was (or would have been) called. */
export interface GatewayDecisionRecord extends DecisionRecord {
  upstream: string;
}

/**
 * The record named with its upstream, in place: the guard hands each decision a record of its own, made
 * for that call (request-guard.ts), so naming it costs no copy of its twenty fields per call.
 */
function withUpstream(record: DecisionRecord, upstream: string): GatewayDecisionRecord {
  const named = record as GatewayDecisionRecord;
  named.upstream = upstream;
  return named;
}

export interface UpstreamOptions extends OrganizationOptions {
  /** Names the upstream in audit records and logs. */
  name: string;
  /** Path on the gateway, e.g. `/filesystem/mcp`; the resource URI is the gateway's public URL plus this path. */
  path: string;
  /** Every scope this upstream understands (its PRM's scopes_supported); the policy may name only these. */
  scopes: string[];
  /** Needed for any request to this upstream. */
  requiredScopes?: string[];
  resourceName?: string;
  policy: UpstreamPolicy;
  /**
   * Runtime policy after the scope check, per call, with the caller's current context (e.g. the CLI's
   * Cedar policies: `cedar:` in gateway.yaml). A denied call is refused before it reaches the upstream.
   */
  runtimePolicy?: Policy;
  /** Gates after the scope check and the runtime policy allowed a call, in order: rate limits, human approval (the SDK's call gates). */
  callGates?: CallGate[];
  /** Exactly one of http and stdio. */
  http?: UpstreamCredentialOptions & { url: string };
  stdio?: StdioCommand & { sessions?: SessionLimits };
}

export interface GatewayOptions {
  /** The authorization server's issuer. */
  issuer: string;
  /** The gateway's public origin (scheme, host, port), e.g. https://mcp-gateway.acme.example. */
  publicUrl: string;
  /** The gateway's client at the AS (it must be a resource server for every upstream's URI). */
  introspection?: NonNullable<McpGuardOptions['introspection']>;
  jwt?: McpGuardOptions['jwt'];
  /** Custom verification (tests); then revocation closes sessions only through `revoke`. */
  verifier?: McpGuardOptions['verifier'];
  upstreams: UpstreamOptions[];
  onDecision?: (record: GatewayDecisionRecord) => void | Promise<void>;
  onRefusedTokens?: McpGuardOptions['onRefusedTokens'];
  onError?: (error: unknown) => void;
  allowedOrigins?: McpGuardOptions['allowedOrigins'];
  /** For HTTP upstreams and client_credentials (tests). */
  fetch?: typeof fetch;
}

interface Mounted {
  options: UpstreamOptions;
  guard: McpGuard;
  policy: CompiledPolicy;
  upstream: Upstream;
}

/** What whoever serves the gateway knows of a request beyond it: the peer address and the body, read and parsed, or a reader of it. */
export type AnswerInfo = Pick<RequestInfo, 'ip' | 'parsedBody' | 'readBody'>;

export interface Gateway {
  /**
   * Web-standard handler: PRM documents and the upstreams' MCP endpoints; 404 for anything else.
   * `parsedBody`: a POST body already read (within `bodyLimit`) and parsed by whoever serves the gateway.
   */
  fetch(request: Request, info?: { ip?: string; parsedBody?: unknown }): Promise<Response>;
  /**
   * As `fetch`, but an HTTP upstream's answer that is complete within `holdMs` (a tools/call answered at
   * once, most of them) comes held whole, settled, as bytes with plain headers: node-listener writes it in
   * one piece without a web Response, stream or SSE rewriting stream around it. Anything else (lists,
   * which are filtered per caller; stdio upstreams; answers still streaming) comes as a Response.
   */
  answer(request: NodeRequestHead, info: AnswerInfo, holdMs: number): Promise<Response | HeldAnswer>;
  /** The body size cap of the MCP endpoint at `path` (exactly as the guard applies it), or undefined if `path` is not one. */
  bodyLimit(path: string): number | undefined;
  /** The mounted upstreams' resource URIs, by name. */
  readonly resources: Record<string, string>;
  /** Open upstream sessions, per upstream name (stdio) — for health checks and tests. */
  sessions(name: string, subject?: string): number;
  /** Applies a revocation event now (it also arrives through the revocation stream). */
  revoke(event: RevocationEvent): Promise<number>;
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const problems: { path: (string | number)[]; message: string }[] = [];
  const seenPaths = new Set<string>();
  const mounted: Mounted[] = [];
  options.upstreams.forEach((upstream, index) => {
    const at = ['upstreams', index];
    if (!upstream.path.startsWith('/') || upstream.path.includes('..') || upstream.path.includes('/.well-known/'))
      problems.push({ path: [...at, 'path'], message: 'must be an absolute path without .. or /.well-known/' });
    if (seenPaths.has(upstream.path)) problems.push({ path: [...at, 'path'], message: `${upstream.path} is used by another upstream` });
    seenPaths.add(upstream.path);
    if (!upstream.http === !upstream.stdio) problems.push({ path: at, message: 'give exactly one of http and stdio' });
    let policy: CompiledPolicy;
    try {
      policy = compilePolicy(upstream.policy, upstream.scopes, [...at, 'policy']);
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      problems.push(...error.issues);
      return;
    }
    if (problems.length > 0) return;
    const onDecision = options.onDecision;
    const guard = createMcpGuard({
      operations: policy.operations,
      issuer: options.issuer,
      resource: `${publicUrl}${upstream.path}`,
      scopesSupported: upstream.scopes,
      ...(upstream.requiredScopes ? { requiredScopes: upstream.requiredScopes } : {}),
      resourceName: upstream.resourceName ?? upstream.name,
      ...(upstream.organizations ? { organizations: upstream.organizations } : {}),
      ...(upstream.multiTenant ? { multiTenant: upstream.multiTenant } : {}),
      ...(options.introspection ? { introspection: options.introspection } : {}),
      ...(options.jwt ? { jwt: options.jwt } : {}),
      ...(options.verifier ? { verifier: options.verifier } : {}),
      ...(onDecision ? { onDecision: (record: DecisionRecord) => onDecision(withUpstream(record, upstream.name)) } : {}),
      ...(options.onRefusedTokens ? { onRefusedTokens: options.onRefusedTokens } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
      ...(upstream.runtimePolicy ? { policy: upstream.runtimePolicy } : {}),
      ...(upstream.callGates ? { callGates: upstream.callGates } : {}),
      forwardSessionRequests: true,
    });
    const target: Upstream = upstream.http
      ? new HttpUpstream({ ...upstream.http, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.onError ? { onError: options.onError } : {}) })
      : new StdioUpstream({ command: upstream.stdio!, ...upstream.stdio!.sessions, ...(options.onError ? { onError: options.onError } : {}) });
    mounted.push({ options: upstream, guard, policy, upstream: target });
  });
  if (problems.length > 0) {
    for (const m of mounted) void m.guard.close();
    throw new PolicyError(problems);
  }

  const byPath = new Map(mounted.map((m) => [m.guard.mcpPath, m]));

  async function revoke(event: RevocationEvent): Promise<number> {
    const hashes = new Set(event.tokenHashes ?? []);
    const counts = await Promise.all(mounted.map((m) => m.upstream.closeWhere((session) => revokedBy(session.owner, event, hashes, session.tokens))));
    return counts.reduce((a, b) => a + b, 0);
  }

  // The guards drop revoked tokens from their caches; this subscription ends the sessions of whoever lost access.
  const stream = options.introspection
    ? new RevocationStream({
        url: options.introspection.revocationStream || `${options.issuer.replace(/\/$/, '')}/revocations/stream`,
        authorization: basicAuthorization(options.introspection.clientId, options.introspection.clientSecret),
        onEvent: (event) => void revoke(event).catch((error: unknown) => options.onError?.(error)),
        onConnectionChange: () => {},
        ...(options.onError ? { onError: options.onError } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      })
    : undefined;
  stream?.start();

  async function handle(request: RequestHead, webRequest: () => Request, info: AnswerInfo = {}, holdMs?: number): Promise<Response | HeldAnswer> {
    const path = pathOf(request.url);
    for (const m of mounted) {
      const metadata = m.guard.serveMetadata(request, path);
      if (metadata) return metadata;
    }
    const m = byPath.get(path);
    if (!m) return new Response('Not Found', { status: 404 });
    const checked = await m.guard.check(request, info);
    if (checked.kind === 'respond') return checked.response;
    const { principal, body } = checked;
    const held = heldScopes(principal);
    const refusal = refuseUnseenTarget(body, m.policy, held);
    if (refusal) return rpcError(idOf(body), refusal.code, refusal.message);
    const bearer = extractBearer(request);
    const method = (body as { method?: unknown } | undefined)?.method;
    const listing = isListMethod(method);
    const input: UpstreamRequest = { request, webRequest, body, owner: ownerOf(principal) };
    if (bearer.kind === 'token') input.tokenHash = tokenHash(bearer.token);
    if (holdMs !== undefined && !listing) input.holdMs = holdMs;
    const answer = await m.upstream.handle(input);
    if ('whole' in answer) return { whole: await checked.settleWhole(answer.whole) };
    let response = answer;
    if (listing && response.ok) response = await filterListResponse(response, method, (body as { id?: unknown }).id, m.policy, held);
    return checked.settle(response);
  }

  return {
    async fetch(request, info) {
      return (await handle(request, () => request, info)) as Response; // without a hold, never held
    },
    answer: (request, info, holdMs) => handle(request, () => request.toRequest(), info, holdMs),
    bodyLimit(path) {
      const m = byPath.get(path);
      // The guard's own default when none is configured (request-guard.ts).
      return m ? (m.guard.options.maxBodyBytes ?? 1_048_576) : undefined;
    },
    resources: Object.fromEntries(mounted.map((m) => [m.options.name, m.guard.options.resource])),
    sessions(name, subject) {
      const m = mounted.find((candidate) => candidate.options.name === name);
      return m?.upstream instanceof StdioUpstream ? m.upstream.count(subject === undefined ? undefined : { subject }) : 0;
    },
    revoke,
    async close() {
      await stream?.close();
      await Promise.all(mounted.map(async (m) => Promise.all([m.guard.close(), m.upstream.close()])));
    },
  };
}
