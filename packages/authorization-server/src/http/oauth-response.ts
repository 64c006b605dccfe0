import { OAuthError } from '@gatehouse-auth/core';
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

/** Renders any thrown value as an OAuth error body; unknown errors become server_error with no detail on the wire. */
export function oauthErrorResponse(error: unknown, log?: (message: string, fields: Record<string, unknown>) => void): Response {
  if (error instanceof OAuthError) {
    return oauthJson(error.toJSON(), error.status, error.headers);
  }
  log?.('unhandled error', { error: error instanceof Error ? error.stack : String(error) });
  return oauthJson({ error: 'server_error', error_description: 'The server encountered an unexpected condition.' }, 500);
}
