/**
 * Login sessions. The cookie holds a random 256-bit token; the store keeps
 * only its SHA-256 as the session id, so a database leak yields no usable
 * cookies. A session is live while unexpired, unrevoked and its user active.
 */
import type { Context } from 'hono';
import { randomToken, sha256, type LoginSession, type User } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { clearCookieHeader, cookieHeader, cookieJar, readCookie } from './cookies.ts';

export interface ActiveSession {
  session: LoginSession;
  user: User;
}

export async function currentSession(c: Context, ctx: ServerContext): Promise<ActiveSession | undefined> {
  const value = readCookie(c, cookieJar(ctx.options.issuer).session);
  if (!value) return undefined;
  const session = await ctx.store.sessions.get(sha256(value));
  if (!session || session.revokedAt !== null || session.expiresAt <= ctx.clock.now()) return undefined;
  const user = await ctx.store.users.get(session.userId);
  if (!user || user.status !== 'active') return undefined;
  return { session, user };
}

/** Starts a session for `user`; returns the Set-Cookie header carrying it. */
export async function startSession(ctx: ServerContext, user: User): Promise<{ session: LoginSession; setCookie: string }> {
  const value = randomToken();
  const now = ctx.clock.now();
  const session: LoginSession = { id: sha256(value), userId: user.id, createdAt: now, expiresAt: now + ctx.options.sessionTtl * 1000, revokedAt: null };
  await ctx.store.sessions.create(session);
  const jar = cookieJar(ctx.options.issuer);
  return { session, setCookie: cookieHeader(jar, jar.session, value, ctx.options.sessionTtl) };
}

export const clearSessionCookie = (ctx: ServerContext): string => {
  const jar = cookieJar(ctx.options.issuer);
  return clearCookieHeader(jar, jar.session);
};
