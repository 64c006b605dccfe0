import { OAuthError, StoreUnavailableError } from '@gatehouse-auth/core';
import { markSecured, SECURITY_HEADERS } from './security-headers.ts';

/** What every OAuth JSON answer carries (RFC 6749 §5.1), security headers included, lower-case keys. */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.assign({}, SECURITY_HEADERS, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' });

/**
 * An OAuth endpoint's answer before it is a Response: the node-level route
 * for /token and /introspect (packages/cli server/oauth-listener.ts)
 * writes it to Node's response as is, the Hono routes wrap it (answerResponse).
 */
export interface OAuthAnswer {
  status: number;
  /** Lower-case names, security headers included. */
  headers: Record<string, string>;
  body: string;
  /**
   * The client the request authenticated as, for the access log (never
   * sent): the node-level route learns it here rather than from the events
   * the request publishes, which would need a request scope (an
   * AsyncLocalStorage, whose async hooks cost every promise in the process).
   */
  clientId?: string;
}

/** JSON answer with the headers every OAuth endpoint answer needs (RFC 6749 §5.1). */
export function oauthAnswer(body: unknown, status = 200, headers: Record<string, string> = {}): OAuthAnswer {
  // Security headers up front, so the middleware need not materialise the headers. A fresh object per
  // response (the server adds content-length to it), copied with Object.assign: Node 20's V8 makes a
  // spread copy slow to add properties to, ~2 µs each (measured).
  const merged: Record<string, string> = Object.assign({}, JSON_HEADERS);
  for (const name in headers) merged[name.toLowerCase()] = headers[name]!;
  return { status, headers: merged, body: JSON.stringify(body) };
}

export const answerResponse = (answer: OAuthAnswer): Response => markSecured(new Response(answer.body, { status: answer.status, headers: answer.headers }));

/** JSON response with the headers every OAuth endpoint answer needs (RFC 6749 §5.1). */
export const oauthJson = (body: unknown, status = 200, headers: Record<string, string> = {}): Response => answerResponse(oauthAnswer(body, status, headers));

/** Seconds a client is asked to wait when the database is unreachable (a failover or pooler restart takes about this). */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

/**
 * Renders any thrown value as an OAuth error body. The store's
 * StoreUnavailableError (database unreachable) is 503 temporarily_unavailable
 * with Retry-After (RFC 6749 §4.1.2.1's code, RFC 9110 §10.2.3): the client
 * may retry, nothing changed on its behalf. Other unknown errors become
 * server_error; neither puts any detail on the wire.
 */
export const oauthErrorResponse = (error: unknown, log?: (message: string, fields: Record<string, unknown>) => void): Response => answerResponse(oauthErrorAnswer(error, log));

export function oauthErrorAnswer(error: unknown, log?: (message: string, fields: Record<string, unknown>) => void): OAuthAnswer {
  if (error instanceof OAuthError) {
    return oauthAnswer(error.toJSON(), error.status, error.headers);
  }
  if (StoreUnavailableError.is(error)) {
    log?.('database unavailable', { error: error.message });
    return oauthAnswer({ error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable. Retry shortly.' }, 503, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) });
  }
  log?.('unhandled error', { error: error instanceof Error ? error.stack : String(error) });
  return oauthAnswer({ error: 'server_error', error_description: 'The server encountered an unexpected condition.' }, 500);
}
