/**
 * CSRF protection for every form: a double-submit token derived from the
 * HttpOnly browser secret and bound to what the form acts on (an
 * interaction id, "login", "signup", a session), plus an Origin check.
 * A cross-site attacker can neither read the cookie nor compute the token;
 * a token lifted from one interaction does not validate another.
 */
import type { Context } from 'hono';
import { safeEqual, sha256 } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { readBrowserSecret } from './browser.ts';

export const csrfToken = (browserSecret: string, binding: string): string => sha256(`csrf:${browserSecret}:${binding}`);

export type CsrfFailure = 'foreign_origin' | 'cross_site' | 'missing_cookie' | 'bad_token';

/**
 * Returns undefined when the POST is acceptable. Origin must be the issuer's
 * origin when present. Our pages send `Referrer-Policy: no-referrer`, under
 * which browsers send `Origin: null` even on same-origin form POSTs, so
 * `null` passes only when the browser also says `Sec-Fetch-Site:
 * same-origin`; a null Origin without it counts as foreign (sandboxed
 * frames and data: URLs send null too). Sec-Fetch-Site must never be
 * cross-site or same-site.
 */
export function checkCsrf(c: Context, ctx: ServerContext, submitted: unknown, binding: string): CsrfFailure | undefined {
  const origin = c.req.header('origin');
  const fetchSite = c.req.header('sec-fetch-site');
  const nullFromOurOwnPage = origin === 'null' && fetchSite === 'same-origin';
  if (origin !== undefined && !nullFromOurOwnPage && origin !== new URL(ctx.options.issuer).origin) return 'foreign_origin';
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return 'cross_site';
  const secret = readBrowserSecret(c, ctx);
  if (!secret) return 'missing_cookie';
  if (typeof submitted !== 'string' || !safeEqual(submitted, csrfToken(secret, binding))) return 'bad_token';
  return undefined;
}
