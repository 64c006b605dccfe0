import { OAuthError } from '@gatehouse/core';
import { markSecured, SECURITY_HEADERS } from './security-headers.ts';

/** JSON response with the headers every OAuth endpoint answer needs (RFC 6749 §5.1). */
export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  // Security headers up front (and lower-case keys throughout), so the middleware need not materialise the headers.
  const merged: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' };
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
