/**
 * A protected MCP endpoint as one web-standard `fetch(Request) → Response`
 * (mount it in Hono, Bun, Deno, Workers) plus a Node `(req, res)` listener
 * for node:http and Express. Every request: token from the header only →
 * verify (cache / introspection / JWT) → audience → root scopes →
 * per-operation scopes → policy → a fresh stateless McpServer that lists only
 * what the caller may use. The raw token never reaches a handler.
 *
 * Fail closed: when the AS cannot be reached and the cache cannot vouch, the
 * answer is 503 with a JSON-RPC error and Retry-After (not 401, which would
 * send clients into a login the AS cannot serve either).
 */
import { systemClock } from '@gatehouse/core';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { authorizeOperations } from './authorize-operations.ts';
import { challengeResponse } from './challenge.ts';
import { extractBearer } from './bearer-token.ts';
import { AUTHORIZATION_UNAVAILABLE, FORBIDDEN_ORIGIN, HEADER_MISMATCH, routingHeaderMismatch, errorMessage, jsonResponse, requestsIn, PARSE_ERROR } from './jsonrpc.ts';
import { gatedOperation } from './operation-gate.ts';
import { resolveOptions, type ProtectMcpOptions } from './options.ts';
import { PRINCIPAL_KEY } from './principal.ts';
import { buildMetadata, metadataPaths, metadataUrl, type ProtectedResourceMetadata } from './protected-resource-metadata.ts';
import { readJsonBody } from './read-body.ts';
import { isSatisfied, scopesToRequest } from './requirements.ts';
import { createVerifier } from './verification/create-verifier.ts';
import { VerifierUnavailableError } from './verification/types.ts';

export interface RequestInfo {
  ip?: string;
  /** A body a framework already parsed (express.json()). */
  parsedBody?: unknown;
}

export interface ProtectedMcp {
  fetch(request: Request, info?: RequestInfo): Promise<Response>;
  readonly metadata: ProtectedResourceMetadata;
  readonly metadataUrl: string;
  /** The path MCP requests are served on (the resource URI's path). */
  readonly mcpPath: string;
  close(): Promise<void>;
}

export function protectMcpServer(input: ProtectMcpOptions): ProtectedMcp {
  const options = resolveOptions(input);
  const clock = options.clock ?? systemClock;
  const verifier = createVerifier(options, clock);
  const operations = options.server.operations();
  const metadata = buildMetadata({ resource: options.resource, issuer: options.issuer, scopesSupported: options.scopesSupported, resourceName: options.resourceName });
  const prmUrl = metadataUrl(options.resource);
  const prmPaths = new Set(metadataPaths(options.resource));
  const root = options.requiredScopes;
  const union = (...lists: string[][]) => [...new Set(lists.flat())];
  const challenge = (error: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | undefined, scopes: string[], description?: string) =>
    challengeResponse({ resourceMetadata: prmUrl, scopes, ...(error ? { error } : {}), ...(description ? { description } : {}) });
  // Scopes for a 401: what this request needs, else the root's, else everything we support.
  const scopesFor401 = (body: unknown): string[] => {
    const needed = requestsIn(body).flatMap((request) => {
      const gated = gatedOperation(request, operations);
      return gated ? scopesToRequest(gated.gate.requires, new Set()) : [];
    });
    const scopes = union(root, needed);
    return scopes.length > 0 ? scopes : metadata.scopes_supported;
  };

  const resourceUrl = new URL(options.resource);
  const allowedOrigins = options.allowedOrigins === '*' ? '*' : new Set(options.allowedOrigins ?? [new URL(options.resource).origin]);

  async function handleMcp(request: Request, info: RequestInfo): Promise<Response> {
    // MCP Streamable HTTP: an invalid Origin gets 403 before anything else (DNS rebinding).
    const origin = request.headers.get('origin');
    if (origin !== null && allowedOrigins !== '*' && !allowedOrigins.has(origin)) {
      return jsonResponse(errorMessage(null, FORBIDDEN_ORIGIN, 'Forbidden: origin not allowed'), 403);
    }
    const bearer = extractBearer(request);
    if (bearer.kind === 'malformed') return challenge('invalid_request', [], bearer.description);
    let body: unknown;
    if (request.method === 'POST') {
      if (info.parsedBody !== undefined) body = info.parsedBody;
      else {
        const read = await readJsonBody(request, options.maxBodyBytes ?? 1_048_576);
        if (!read.ok && bearer.kind === 'none') return challenge(undefined, scopesFor401(undefined));
        if (!read.ok) return jsonResponse(errorMessage(null, PARSE_ERROR, read.message), read.status);
        body = read.value;
      }
    }
    if (bearer.kind === 'none') return challenge(undefined, scopesFor401(body));

    let verification;
    try {
      verification = await verifier.verify(bearer.token);
    } catch (error) {
      if (!(error instanceof VerifierUnavailableError)) throw error;
      options.onError?.(error);
      return jsonResponse(errorMessage(null, AUTHORIZATION_UNAVAILABLE, 'The authorization server cannot be reached to verify the access token'), 503, { 'retry-after': '5', 'cache-control': 'no-store' });
    }
    if (!verification.ok) return challenge('invalid_token', scopesFor401(body));
    const principal = verification.principal;
    const held = new Set(principal.scopes);
    if (!isSatisfied({ alternatives: [root] }, held)) return challenge('insufficient_scope', root);
    // Stateless server: no standalone SSE stream, no session to delete.
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } });
    const mismatch = routingHeaderMismatch(request.headers, body);
    if (mismatch) return jsonResponse(errorMessage(null, HEADER_MISMATCH, mismatch), 400);

    const requests = requestsIn(body);
    const verdict = await authorizeOperations({
      principal,
      requests,
      operations,
      policy: options.policy,
      onDecision: options.onDecision,
      context: { time: clock.now(), ip: info.ip, userAgent: request.headers.get('user-agent') ?? undefined, resource: options.resource },
    });
    if (verdict.kind === 'step_up') return challenge('insufficient_scope', union(root, verdict.scopes));
    if (verdict.kind === 'errors') return jsonResponse(Array.isArray(body) ? verdict.messages : verdict.messages[0]);

    const server = options.server.build(held);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      return await transport.handleRequest(request, {
        parsedBody: body,
        // The token itself stays here: handlers get the principal (getPrincipal(extra)).
        authInfo: { token: '', clientId: principal.clientId, scopes: principal.scopes, expiresAt: Math.floor(principal.expiresAt / 1000), resource: resourceUrl, extra: { [PRINCIPAL_KEY]: principal } },
      });
    } finally {
      await server.close();
    }
  }

  return {
    metadata,
    metadataUrl: prmUrl,
    mcpPath: options.mcpPath,
    async fetch(request, info = {}) {
      const path = pathOf(request.url);
      if (prmPaths.has(path)) {
        if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET' } });
        if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: { allow: 'GET' } });
        return jsonResponse(metadata, 200, { 'access-control-allow-origin': '*', 'cache-control': 'max-age=300' });
      }
      if (path !== options.mcpPath) return jsonResponse({ error: 'not_found' }, 404);
      return handleMcp(request, info);
    },
    close: () => verifier.close(),
  };
}

/**
 * The raw path of an absolute URL, without parsing the whole URL (hot path).
 * Not normalized: `/a/../mcp` or `%6Dcp` is not `/mcp` here, so such a
 * request is answered 404 rather than served.
 */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  let end = url.length;
  const query = url.indexOf('?', start);
  if (query >= 0) end = query;
  const hash = url.indexOf('#', start);
  if (hash >= 0 && hash < end) end = hash;
  return url.slice(start, end);
}
