/**
 * Authorization responses (RFC 6749 §4.1.2, §4.1.2.1). Every one, success
 * or error, carries `iss` (RFC 9207 §2) so a client talking to several
 * servers can tell which one answered (mix-up defence), and echoes `state`
 * byte-exact. Parameters are appended to the registered redirect_uri as it
 * was matched, keeping any query it already had (RFC 6749 §3.1.2).
 * Responses to a POST use 303 so the browser follows with a GET (RFC 9700 §4.12).
 */
import type { OAuthErrorCode } from '@gatehouse-auth/core';

export interface RedirectTarget {
  redirectUri: string;
  state: string | null;
  issuer: string;
}

function redirect(target: RedirectTarget, fields: Record<string, string>, status: 302 | 303): Response {
  const params = new URLSearchParams(fields);
  if (target.state !== null) params.set('state', target.state);
  params.set('iss', target.issuer);
  const separator = target.redirectUri.includes('?') ? '&' : '?';
  return new Response(null, {
    status,
    headers: { location: `${target.redirectUri}${separator}${params.toString()}`, 'cache-control': 'no-store' },
  });
}

export const codeRedirect = (target: RedirectTarget, code: string, status: 302 | 303 = 302): Response => redirect(target, { code }, status);

export const errorRedirect = (target: RedirectTarget, error: OAuthErrorCode, description: string, status: 302 | 303 = 302): Response =>
  redirect(target, { error, error_description: description }, status);

/** A local (same-server) redirect, e.g. to /login or /interaction/:id. */
export const localRedirect = (location: string, status: 302 | 303 = 302): Response => new Response(null, { status, headers: { location, 'cache-control': 'no-store' } });
