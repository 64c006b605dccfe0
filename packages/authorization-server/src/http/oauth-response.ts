import { OAuthError } from '@gatehouse/core';

/** JSON response with the headers every OAuth endpoint answer needs (RFC 6749 §5.1). */
export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
  });
}

/** Renders any thrown value as an OAuth error body; unknown errors become server_error with no detail on the wire. */
export function oauthErrorResponse(error: unknown, log?: (message: string, fields: Record<string, unknown>) => void): Response {
  if (error instanceof OAuthError) {
    return oauthJson(error.toJSON(), error.status, error.headers);
  }
  log?.('unhandled error', { error: error instanceof Error ? error.stack : String(error) });
  return oauthJson({ error: 'server_error', error_description: 'The server encountered an unexpected condition.' }, 500);
}
