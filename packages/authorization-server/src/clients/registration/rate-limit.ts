/**
 * Per-IP limit on registrations (a flood of DCR requests fills the client
 * table; Auth0 caps DCR at 5/s). Fixed one-minute window in the store, so
 * every Gatehouse process behind a load balancer shares the count. The
 * address is the one login throttling uses (session/client-ip.ts: the socket
 * peer, or the entry our own trusted proxy appended).
 */
import type { Context } from 'hono';
import { OAuthError } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../../context.ts';
import { clientIp } from '../../session/client-ip.ts';

const WINDOW_MS = 60_000;

export async function enforceRegistrationRateLimit(ctx: ServerContext, c: Context<AppEnv>): Promise<void> {
  const now = ctx.clock.now();
  const count = await ctx.store.rateLimits.hit(`register:${clientIp(c)}`, WINDOW_MS, now);
  if (count <= ctx.options.registrationRateLimitPerMinute) return;
  const windowEnds = Math.floor(now / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
  const retryAfter = Math.max(1, Math.ceil((windowEnds - now) / 1000));
  throw new OAuthError('temporarily_unavailable', 'Too many registrations from this address; try again later.', {
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    detail: `registration rate limit (${count} in window)`,
  });
}
