/**
 * Everything that happens before an MCP message reaches a server: Origin
 * check, bearer extraction (header only), bounded body read, one message
 * per POST (a batch is refused here, before any token, scope, policy or
 * audit work), token verification
 * (cache / introspection / JWT), audience, root scopes, routing headers,
 * per-operation scopes (403 step-up) and policy (JSON-RPC error), with
 * every denial reported. Either a finished Response, or the verified
 * principal and the parsed body to hand to a server (or, for a gateway, to
 * forward upstream without the token) and `settle`, which records the
 * allowed operation with its outcome once the response is known. Refused
 * tokens are counted and reported in aggregate (refused-tokens.ts).
 *
 * Fail closed: when the AS cannot be reached and the cache cannot vouch, the
 * answer is 503 with a JSON-RPC error and Retry-After (not 401, which would
 * send clients into a login the AS cannot serve either).
 */
import { systemClock } from '@gatehouse-auth/core';
import { authorizeOperations } from './authorize-operations.ts';
import { runCallGates } from './run-call-gates.ts';
import { challengeResponse } from './challenge.ts';
import { ClientDirectory } from './client-context.ts';
import { settleAllowed, settleAllowedWhole, type TextSender, type WholeAnswer } from './outcome-record.ts';
import { RefusalCounter } from './refused-tokens.ts';
import { extractBearer } from './bearer-token.ts';
import { AUTHORIZATION_UNAVAILABLE, FORBIDDEN_ORIGIN, HEADER_MISMATCH, INVALID_REQUEST, PARSE_ERROR, errorMessage, jsonResponse, requestsIn, type JsonRpcId } from './jsonrpc.ts';
import { gatedOperation } from './operation-gate.ts';
import { resolveOptions, type McpGuardOptions, type ResolvedOptions } from './options.ts';
import { heldScopes, type Principal } from './principal.ts';
import { buildMetadata, metadataPaths, metadataUrl, type ProtectedResourceMetadata } from './protected-resource-metadata.ts';
import { readJsonBody, type BodyReader } from './read-body.ts';
import type { RequestHead } from './request-head.ts';
import { routingHeaderMismatch } from './routing-headers.ts';
import { isSatisfied, scopesToRequest } from './requirements.ts';
import { createVerifier } from './verification/create-verifier.ts';
import { VerifierUnavailableError, type RevocationStreamState } from './verification/types.ts';

export interface RequestInfo {
  ip?: string;
  /** A body a framework already parsed (express.json()). */
  parsedBody?: unknown;
  /**
   * Reads the POST body from where the request came from, under the cap
   * (toNodeListener: from node:http, sparing the web Request's stream).
   * Default: the web Request's body.
   */
  readBody?: BodyReader;
  /**
   * Sends an allowed call's answer, which the guard holds as text once its
   * outcome is recorded (toNodeListener: straight to node:http, sparing a
   * second web Response and the bridge's stream read of it). Default: a web
   * Response with that text.
   */
  sendText?: TextSender;
}

export type GuardResult =
  | { kind: 'respond'; response: Response }
  | {
      kind: 'proceed';
      principal: Principal;
      body: unknown;
      /** Call with the server's response: records the allowed operation's outcome, returns the response to send. */
      settle(response: Response): Promise<Response>;
      /** The same for an answer held whole (a gateway's upstream that answered at once): no web Response around it. */
      settleWhole(answer: WholeAnswer): Promise<WholeAnswer>;
    };

export interface McpGuard {
  readonly options: ResolvedOptions;
  readonly metadata: ProtectedResourceMetadata;
  readonly metadataUrl: string;
  /** The path MCP requests are served on (the resource URI's path). */
  readonly mcpPath: string;
  /** The PRM document's answer for a well-known path, or undefined for any other path. */
  serveMetadata(request: RequestHead, path: string): Response | undefined;
  /** `request`: a web Request, or just its head when the body comes as `parsedBody` or through `readBody`. */
  check(request: Request | RequestHead, info?: RequestInfo): Promise<GuardResult>;
  /** Revocation stream state, for a health endpoint ('disabled' for custom verifiers without one). */
  revocationStream(): RevocationStreamState;
  /** Reports the refused tokens counted so far and stops background work. */
  close(): Promise<void>;
}

type ChallengeError = 'invalid_token' | 'insufficient_scope' | 'invalid_request' | undefined;
const union = (...lists: string[][]) => [...new Set(lists.flat())];

export function createMcpGuard(input: McpGuardOptions): McpGuard {
  const options = resolveOptions(input);
  const clock = options.clock ?? systemClock;
  const verifier = createVerifier(options, clock);
  const { operations, requiredScopes: root } = options;
  const rootRequirement = { alternatives: [root] };
  const metadata = buildMetadata({ resource: options.resource, issuer: options.issuer, scopesSupported: options.scopesSupported, resourceName: options.resourceName });
  const prmUrl = metadataUrl(options.resource);
  const prmPaths = new Set(metadataPaths(options.resource));
  const allowedOrigins = options.allowedOrigins === '*' ? '*' : new Set(options.allowedOrigins ?? [new URL(options.resource).origin]);
  const respond = (response: Response): GuardResult => ({ kind: 'respond', response });
  const now = () => clock.now();
  const clients = new ClientDirectory(10_000, now);
  const onRefused = options.onRefusedTokens;
  const refusals = onRefused ? new RefusalCounter({ report: onRefused, now: () => clock.now(), windowMs: options.refusedTokenWindowMs, onError: options.onError }) : undefined;
  const challenge = (error: ChallengeError, scopes: string[], description?: string) =>
    respond(challengeResponse({ resourceMetadata: prmUrl, scopes, ...(error ? { error } : {}), ...(description ? { description } : {}) }));
  // Scopes for a 401: what this request needs, else the root's, else everything we support.
  const scopesFor401 = (body: unknown): string[] => {
    const needed = requestsIn(body).flatMap((request) => {
      const gated = gatedOperation(request, operations);
      return gated ? scopesToRequest(gated.gate.requires, new Set()) : [];
    });
    const scopes = union(root, needed);
    return scopes.length > 0 ? scopes : metadata.scopes_supported;
  };

  async function check(request: Request | RequestHead, info: RequestInfo = {}): Promise<GuardResult> {
    // MCP Streamable HTTP: an invalid Origin gets 403 before anything else (DNS rebinding).
    const origin = request.headers.get('origin');
    if (origin !== null && allowedOrigins !== '*' && !allowedOrigins.has(origin)) {
      return respond(jsonResponse(errorMessage(null, FORBIDDEN_ORIGIN, 'Forbidden: origin not allowed'), 403));
    }
    const bearer = extractBearer(request);
    if (bearer.kind === 'malformed') return challenge('invalid_request', [], bearer.description);
    let body: unknown;
    if (request.method === 'POST') {
      if (info.parsedBody !== undefined) body = info.parsedBody;
      else {
        const maxBytes = options.maxBodyBytes ?? 1_048_576;
        const read = info.readBody ? await info.readBody(maxBytes) : await readJsonBody(request as Request, maxBytes);
        if (!read.ok && read.status === 413) return respond(jsonResponse(errorMessage(null, INVALID_REQUEST, read.message), 413));
        if (!read.ok && bearer.kind === 'none') return challenge(undefined, scopesFor401(undefined));
        if (!read.ok) return respond(jsonResponse(errorMessage(null, PARSE_ERROR, read.message), read.status));
        body = read.value;
      }
      // One JSON-RPC message per POST (batches left MCP in 2025-06-18). Refused before the
      // token, the scopes, the policy or the audit hook see it: a batch of 5,000 tools/call
      // once cost 5,000 "allow" audit records before the transport refused it.
      const refusal = notOneMessage(body);
      if (refusal) return respond(jsonResponse(errorMessage(null, INVALID_REQUEST, refusal), 400));
    }
    if (bearer.kind === 'none') return challenge(undefined, scopesFor401(body));

    let verification;
    try {
      verification = await verifier.verify(bearer.token);
    } catch (error) {
      if (!(error instanceof VerifierUnavailableError)) throw error;
      options.onError?.(error);
      const message = 'The authorization server cannot be reached to verify the access token';
      return respond(jsonResponse(errorMessage(null, AUTHORIZATION_UNAVAILABLE, message), 503, { 'retry-after': '5', 'cache-control': 'no-store' }));
    }
    if (!verification.ok) {
      refusals?.note(verification.reason);
      return challenge('invalid_token', scopesFor401(body));
    }
    const principal = verification.principal;
    // Defence in depth (organizations.ts): a token of an org this server does not serve is no token for it.
    if (!options.servesOrg(principal)) {
      refusals?.note('foreign_org', principal.clientId);
      return challenge('invalid_token', scopesFor401(body), 'The access token is for an organization this server does not serve');
    }
    if (!isSatisfied(rootRequirement, heldScopes(principal))) return challenge('insufficient_scope', root);
    // Stateless: no standalone SSE stream, no session to delete.
    if (request.method !== 'POST') {
      if (options.forwardSessionRequests && (request.method === 'GET' || request.method === 'DELETE'))
        return { kind: 'proceed', principal, body: undefined, settle: async (response) => response, settleWhole: async (answer) => answer };
      if (request.method === 'DELETE') clients.ended(request.headers.get('mcp-session-id'), principal.clientId);
      return respond(new Response(null, { status: 405, headers: { allow: 'POST' } }));
    }
    const message = body as Record<string, unknown>;
    const mismatch = routingHeaderMismatch(request.headers, message);
    if (mismatch) return respond(jsonResponse(errorMessage(idOf(message), HEADER_MISMATCH, mismatch), 400));

    const requests = requestsIn(body);
    const params = requests[0]?.params ?? {};
    const startedAt = clock.now();
    const verdict = await authorizeOperations({
      principal,
      requests,
      operations,
      policy: options.policy,
      onDecision: options.onDecision,
      caller: clients.callerOf(request.headers, params, principal.clientId),
      context: { time: startedAt, ip: info.ip, userAgent: request.headers.get('user-agent') ?? undefined, resource: options.resource },
    });
    if (verdict.kind === 'step_up') return challenge('insufficient_scope', union(root, verdict.scopes));
    if (verdict.kind === 'errors') return respond(jsonResponse(verdict.messages[0]));
    if (options.callGates && options.callGates.length > 0 && verdict.allowed.length > 0) {
      const context = { time: startedAt, ip: info.ip, userAgent: request.headers.get('user-agent') ?? undefined, resource: options.resource };
      const answer = await runCallGates({
        gates: options.callGates,
        principal,
        requests,
        operations,
        context,
        token: bearer.token,
        allowed: verdict.allowed,
        onDecision: options.onDecision,
        onError: options.onError,
      });
      if (answer) return respond(jsonResponse(answer));
    }
    const isInitialize = requests[0]?.method === 'initialize';
    /**
     * After an initialize: the session its answer named, else one named here (a stateless server issues
     * none, and MCP lets a server assign it at initialize) so later records of this client carry a session
     * id and the clientInfo sent here. Returns the id when it is new, for the answer to carry.
     */
    const initialized = (answered: string | null): string | undefined => {
      const session = answered ?? request.headers.get('mcp-session-id');
      const assigned = session === null ? crypto.randomUUID() : undefined; // Web Crypto: the guard runs outside Node too
      clients.initialized(session ?? assigned!, params, principal.clientId);
      return assigned;
    };
    const outcome = { allowed: verdict.allowed, requestId: idOf(message), startedAt, now, onDecision: options.onDecision, onError: options.onError };
    const settle = async (response: Response): Promise<Response> => {
      if (isInitialize && response.ok) {
        const assigned = initialized(response.headers.get('mcp-session-id'));
        if (assigned !== undefined) {
          response = new Response(response.body, { status: response.status, headers: response.headers });
          response.headers.set('mcp-session-id', assigned);
        }
      }
      return settleAllowed({ ...outcome, response, sendText: info.sendText });
    };
    const settleInitialized = async (answer: WholeAnswer): Promise<WholeAnswer> => {
      if (answer.status >= 200 && answer.status < 300) {
        const assigned = initialized(answer.headers['mcp-session-id'] ?? null);
        if (assigned !== undefined) answer = { ...answer, headers: { ...answer.headers, 'mcp-session-id': assigned } };
      }
      return settleAllowedWhole(outcome, answer);
    };
    // Not an async function around settleAllowedWhole's promise (a second promise, resolved with the first, per call).
    const settleWhole = (answer: WholeAnswer): Promise<WholeAnswer> => (isInitialize ? settleInitialized(answer) : settleAllowedWhole(outcome, answer));
    return { kind: 'proceed', principal, body, settle, settleWhole };
  }

  return {
    options,
    metadata,
    metadataUrl: prmUrl,
    mcpPath: options.mcpPath,
    serveMetadata(request, path) {
      if (!prmPaths.has(path)) return undefined;
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET' } });
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: { allow: 'GET' } });
      return jsonResponse(metadata, 200, { 'access-control-allow-origin': '*', 'cache-control': 'max-age=300' });
    },
    check,
    revocationStream: () => verifier.revocationStream?.() ?? 'disabled',
    close: async () => {
      await refusals?.flush();
      await verifier.close();
    },
  };
}

function notOneMessage(body: unknown): string | undefined {
  if (Array.isArray(body)) return 'Invalid Request: JSON-RPC batches are not accepted (removed from MCP in 2025-06-18); send one message per request';
  if (typeof body !== 'object' || body === null) return 'Invalid Request: the body must be one JSON-RPC message (an object)';
  return undefined;
}

const idOf = (message: Record<string, unknown>): JsonRpcId => (typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null);

/**
 * The raw path of an absolute URL, without parsing the whole URL (hot path).
 * Not normalized: `/a/../mcp` or `%6Dcp` is not `/mcp` here, so such a
 * request is answered 404 rather than served.
 */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  let end = url.length;
  const query = url.indexOf('?', start);
  if (query >= 0) end = query;
  const hash = url.indexOf('#', start);
  if (hash >= 0 && hash < end) end = hash;
  return url.slice(start, end);
}
