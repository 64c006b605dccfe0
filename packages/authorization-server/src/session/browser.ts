/**
 * The browser binding: a random secret in an HttpOnly cookie. Pending
 * authorizations store its SHA-256 so a stolen interaction id is useless in
 * another browser, and CSRF tokens are derived from it (csrf.ts).
 */
import type { Context } from 'hono';
import { randomToken, sha256 } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { cookieHeader, cookieJar, readCookie } from './cookies.ts';

export interface BrowserBinding {
  secret: string;
  /** Set-Cookie to send when the secret is new. */
  setCookie: string | undefined;
}

const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

export function readBrowserSecret(c: Context, ctx: ServerContext): string | undefined {
  const value = readCookie(c, cookieJar(ctx.options.issuer).browser);
  return value !== undefined && WELL_FORMED.test(value) ? value : undefined;
}

/** The browser's secret, minting one (and its cookie) on first contact. A session cookie: it ends with the browser. */
export function ensureBrowserBinding(c: Context, ctx: ServerContext): BrowserBinding {
  const existing = readBrowserSecret(c, ctx);
  if (existing) return { secret: existing, setCookie: undefined };
  const secret = randomToken();
  return { secret, setCookie: cookieHeader(cookieJar(ctx.options.issuer), cookieJar(ctx.options.issuer).browser, secret) };
}

export const browserHash = (secret: string): string => sha256(`browser:${secret}`);
