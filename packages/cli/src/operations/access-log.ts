/**
 * Wraps the server's request handler with what operations need:
 *
 * - the request id (request-id.ts), returned as `X-Request-Id`;
 * - one access-log line per request: id, method, route, status, duration
 *   in ms and the client id when known (from the request's events, or
 *   the client_secret_basic user name); never a token, query string or
 *   body. Probes of /healthz, /readyz and /metrics log at debug;
 * - request counts and latencies for /metrics;
 * - `/healthz`, `/readyz` and (when enabled here) `/metrics`;
 * - graceful shutdown: a count of requests in flight to drain, and
 *   `Connection: close` on every response once draining so that
 *   keep-alive clients move to another instance.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServerMetrics } from './metrics.ts';
import { accessLineWriter, type AccessLine } from './access-line.ts';
import { requestIdOf, REQUEST_ID_HEADER } from './request-id.ts';
import { runInRequestScope, type RequestScope } from './request-scope.ts';
import { pathOf, routeOf } from './routes.ts';
import { healthz, readyz, type HealthSources } from './health.ts';

/** `outgoing`: the Node response @hono/node-server will write (absent when a Request is handled without a server: tests). */
export type Handler = (request: Request, incoming: IncomingMessage, outgoing?: ServerResponse) => Response | Promise<Response>;

export interface ObservedOptions {
  logger: Logger;
  metrics: ServerMetrics;
  health: HealthSources;
  /** Serve /metrics on this listener (gatehouse dev, or no separate metrics port). */
  exposeMetrics: boolean;
  /** The issuer URL's path, stripped before a route is labelled. */
  issuerPath: string;
}

/** An answer the server writes to Node's response itself (server/oauth-listener.ts): lower-case header names. */
export interface NodeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The client the request authenticated as, when it did (else the access line takes the Basic user name). */
  clientId?: string;
}

export interface Observed {
  handler: Handler;
  /**
   * The same observation (request id, access line, metrics, drain count)
   * around a request answered from Node directly: `answer` gets the
   * request's id (for its log lines; no request scope is entered:
   * request-scope.ts), and its result is written to `outgoing` as
   * @hono/node-server writes a string body.
   */
  serveNode(incoming: IncomingMessage, outgoing: ServerResponse, path: string, answer: (requestId: string) => Promise<NodeAnswer>): Promise<void>;
  /** Requests whose response head is not sent yet. */
  inFlight(): number;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
  /** Requests started so far (a drain waits until this stops moving). */
  requestsSeen(): number;
}

/** The headers the access log reads. */
interface LoggedHeaders {
  get(name: string): string | null;
}

/** RFC 6749 §2.3.1: the client id is the form-urlencoded user name of Basic credentials. */
function basicClientId(headers: LoggedHeaders): string | undefined {
  const value = headers.get('authorization');
  if (!value || !/^basic /i.test(value)) return undefined;
  const decoded = Buffer.from(value.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    return id.length <= 200 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A header as a web Request's Headers would give it (repeats joined with
 * ", "), read from Node's raw header list: Node's own `headers` object keeps
 * only the first of a repeated Authorization.
 */
function rawHeaders(incoming: IncomingMessage): LoggedHeaders {
  return {
    get(name) {
      const raw = incoming.rawHeaders;
      let value: string | null = null;
      for (let i = 0; i < raw.length; i += 2) {
        const key = raw[i]!;
        if (key.length === name.length && key.toLowerCase() === name) value = value === null ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
      }
      return value;
    },
  };
}

/** What a throw past the app becomes (the web handler's 500 answer, written the same way). */
const SERVER_ERROR_BODY = JSON.stringify({ error: 'server_error' });

/** Serves /metrics from a registry (also used by the separate metrics listener). */
export async function metricsResponse(metrics: ServerMetrics): Promise<Response> {
  return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' } });
}

export function observeRequests(inner: Handler, options: ObservedOptions): Observed {
  const { logger, metrics, health } = options;
  // The request scope (an AsyncLocalStorage) turns on Node's async hooks for every promise in the
  // process (request-scope.ts): worth it when access lines are written, not for a server logging at warn.
  const scoped = logger.isLevelEnabled('info');
  // The access line is built here from fields that never hold a secret (a sanitised request id, the
  // method, the route label, status, duration, a client id), so it skips pino's redaction, which
  // stringifies every value of every line through the wildcard paths (`*.token`…): that was the costliest
  // part of logging a request (about 4× a plain line). Every other line keeps the redaction.
  const accessLog = logger.child({}, { redact: [] });
  const writeAccessLine = accessLineWriter(accessLog);
  let inFlight = 0;
  let seen = 0;
  let waiters: Array<() => void> = [];

  const operational = (path: string, request: Request): Promise<Response> | Response | undefined => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    if (path === '/healthz') return healthz();
    if (path === '/readyz') return readyz(health);
    if (path === '/metrics' && options.exposeMetrics) return metricsResponse(metrics);
    return undefined;
  };

  const settled = (): void => {
    inFlight -= 1;
    if (inFlight === 0 && waiters.length > 0) {
      const resolve = waiters;
      waiters = [];
      for (const r of resolve) r();
    }
  };

  /** The access line and metrics of an answered request. */
  const record = (started: number, requestId: string, method: string, route: string, status: number, knownClientId: string | undefined, headers: LoggedHeaders): void => {
    const seconds = (performance.now() - started) / 1000;
    metrics.observeRequest(route, method, status, seconds);
    const clientId = knownClientId ?? basicClientId(headers);
    const line: AccessLine = { reqId: requestId, method, route, status, ms: Math.round(seconds * 10_000) / 10 };
    if (clientId) line.clientId = clientId;
    if (route === '/healthz' || route === '/readyz' || route === '/metrics') accessLog.debug(line, 'request');
    else if (!writeAccessLine(line)) accessLog.info(line, 'request');
  };

  const handler: Handler = async (request, incoming, outgoing) => {
    const started = performance.now();
    const requestId = requestIdOf(request.headers);
    const path = pathOf(request.url);
    const route = routeOf(path, options.issuerPath);
    const scope: RequestScope = { requestId };
    inFlight += 1;
    seen += 1;
    let response: Response;
    try {
      const handle = async () => (await operational(path, request)) ?? (await inner(request, incoming));
      response = await (scoped ? runInRequestScope(scope, handle) : handle());
    } catch (error) {
      logger.error({ reqId: requestId, route, err: error }, 'request failed');
      response = new Response(SERVER_ERROR_BODY, { status: 500, headers: { 'content-type': 'application/json' } });
    } finally {
      settled();
    }
    if (outgoing !== undefined && !outgoing.headersSent) {
      // On the Node response: @hono/node-server merges these into its writeHead. Reading
      // `response.headers` would turn its lightweight Response into one with an undici Headers
      // object (~5% of an introspection's CPU in a profile of npm run bench as).
      outgoing.setHeader(REQUEST_ID_HEADER, requestId);
      if (health.draining()) outgoing.setHeader('connection', 'close');
    } else
      try {
        response.headers.set(REQUEST_ID_HEADER, requestId);
        if (health.draining()) response.headers.set('connection', 'close');
      } catch {
        // Immutable headers (a fetched Response): copy once.
        response = new Response(response.body, response);
        response.headers.set(REQUEST_ID_HEADER, requestId);
      }
    record(started, requestId, request.method, route, response.status, scope.clientId, request.headers);
    return response;
  };

  const serveNode = async (incoming: IncomingMessage, outgoing: ServerResponse, path: string, answer: (requestId: string) => Promise<NodeAnswer>): Promise<void> => {
    const started = performance.now();
    const headers = rawHeaders(incoming);
    const requestId = requestIdOf(headers);
    const route = routeOf(path, options.issuerPath);
    const method = incoming.method ?? 'GET';
    inFlight += 1;
    seen += 1;
    let result: NodeAnswer;
    try {
      result = await answer(requestId);
    } catch (error) {
      logger.error({ reqId: requestId, route, err: error }, 'request failed');
      result = { status: 500, headers: { 'content-type': 'application/json' }, body: SERVER_ERROR_BODY };
    } finally {
      settled();
    }
    record(started, requestId, method, route, result.status, result.clientId, headers);
    if (outgoing.destroyed) return;
    // As @hono/node-server writes a string body: its length added, head and body in one go. Everything in
    // the one object writeHead takes: a header set on `outgoing` first makes Node copy every other one
    // through setHeader, validating each twice.
    const head: Record<string, string | number> = result.headers;
    head[REQUEST_ID_HEADER] = requestId;
    if (health.draining()) head.connection = 'close';
    head['content-length'] = Buffer.byteLength(result.body);
    outgoing.writeHead(result.status, head);
    outgoing.end(result.body);
  };

  return {
    handler,
    serveNode,
    inFlight: () => inFlight,
    requestsSeen: () => seen,
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
