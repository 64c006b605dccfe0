/**
 * CSRF protection for every form: a double-submit token derived from the
 * HttpOnly browser secret and bound to what the form acts on (an
 * interaction id, "login", "signup", a session), plus an Origin check.
 * A cross-site attacker can neither read the cookie nor compute the token;
 * a token lifted from one interaction does not validate another.
 */
import type { Context } from 'hono';
import { safeEqual, sha256 } from '@gatehouse/core';
import type { ServerContext } from '../context.ts';
import { readBrowserSecret } from './browser.ts';

export const csrfToken = (browserSecret: string, binding: string): string => sha256(`csrf:${browserSecret}:${binding}`);

export type CsrfFailure = 'foreign_origin' | 'cross_site' | 'missing_cookie' | 'bad_token';

/**
 * Returns undefined when the POST is acceptable. Origin must be the issuer's
 * origin when present (browsers send it on every form POST; `null` counts
 * as foreign); Sec-Fetch-Site, when sent, must not be cross-site.
 */
export function checkCsrf(c: Context, ctx: ServerContext, submitted: unknown, binding: string): CsrfFailure | undefined {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(ctx.options.issuer).origin) return 'foreign_origin';
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return 'cross_site';
  const secret = readBrowserSecret(c, ctx);
  if (!secret) return 'missing_cookie';
  if (typeof submitted !== 'string' || !safeEqual(submitted, csrfToken(secret, binding))) return 'bad_token';
  return undefined;
}
