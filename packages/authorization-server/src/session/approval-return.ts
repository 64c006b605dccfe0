/**
 * A person who opens an approval link without a session is asked to sign
 * in; afterwards they land on that approval again instead of a "you are
 * signed in" page. The browser carries only the approval's id in a
 * short-lived cookie, and the only place it can lead is /approvals/<id> on
 * this server: there is no `?next=` URL to turn into an open redirect.
 */
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { clearCookieHeader, cookieHeader, cookieJar, readCookie } from './cookies.ts';

/** Approval ids are random base64url tokens. */
const APPROVAL_ID = /^[A-Za-z0-9_-]{16,128}$/;
/** Longer than an approval lives (five minutes), so a slow sign-in still comes back. */
const REMEMBER_SECONDS = 15 * 60;

export function rememberApproval(ctx: ServerContext, approvalId: string): string | undefined {
  if (!APPROVAL_ID.test(approvalId)) return undefined;
  const jar = cookieJar(ctx.options.issuer);
  return cookieHeader(jar, jar.approvalAfterLogin, approvalId, REMEMBER_SECONDS);
}

/** The remembered approval's page, and the Set-Cookie that forgets it; undefined when none is remembered. */
export function approvalAfterLogin(c: Context, ctx: ServerContext): { location: string; forget: string } | undefined {
  const jar = cookieJar(ctx.options.issuer);
  const id = readCookie(c, jar.approvalAfterLogin);
  if (!id || !APPROVAL_ID.test(id)) return undefined;
  return { location: `${ctx.options.issuer}/approvals/${id}`, forget: clearCookieHeader(jar, jar.approvalAfterLogin) };
}
