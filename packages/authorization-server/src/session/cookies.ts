/**
 * Cookie names and attributes, decided by the issuer's scheme.
 *
 * On an https issuer the cookies are `__Host-` prefixed and `Secure`: the
 * prefix forbids a Domain attribute, so a sibling subdomain cannot plant or
 * overwrite them ([BP] session cookies). Browsers do not store `Secure`
 * cookies sent over plain http (Chromium makes an exception for
 * `localhost` only), so a development or test issuer on
 * http://127.0.0.1 uses the same names without the prefix and without
 * `Secure` (docs/login.md).
 */
import { getCookie } from 'hono/cookie';
import { serialize } from 'hono/utils/cookie';
import type { Context } from 'hono';

export interface CookieJar {
  /** The login session: its value is a random token; the store keeps only its SHA-256. */
  session: string;
  /** A random per-browser secret binding pending authorizations and CSRF tokens to this browser. */
  browser: string;
  /** The approval a browser was asked to sign in for, so signing in lands on it again (an approval id, never a URL). */
  approvalAfterLogin: string;
  secure: boolean;
}

export function cookieJar(issuer: string): CookieJar {
  const secure = issuer.startsWith('https:');
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}gatehouse_session`, browser: `${prefix}gatehouse_browser`, approvalAfterLogin: `${prefix}gatehouse_approval`, secure };
}

export const readCookie = (c: Context, name: string): string | undefined => getCookie(c, name);

/** HttpOnly, SameSite=Lax (the top-level GET from the client to /authorize must carry it), Path=/. */
export function cookieHeader(jar: CookieJar, name: string, value: string, maxAgeSeconds?: number): string {
  return serialize(name, value, {
    httpOnly: true,
    secure: jar.secure,
    sameSite: 'Lax',
    path: '/',
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  });
}

export const clearCookieHeader = (jar: CookieJar, name: string): string => cookieHeader(jar, name, '', 0);

/** Appends Set-Cookie headers to a response built elsewhere. */
export function withCookies(response: Response, cookies: readonly string[]): Response {
  for (const cookie of cookies) response.headers.append('set-cookie', cookie);
  return response;
}
