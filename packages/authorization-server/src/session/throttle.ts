/**
 * Login throttling per account and per client IP (options.loginThrottle).
 * Every attempt is counted in a fixed window before the password is
 * checked, so a blocked caller learns nothing, and a wrong attempt never
 * resets anything. A successful login clears only the account's counter;
 * the IP counter always runs out its window (a valid account of the
 * attacker's own must not unlock guessing at others).
 */
import type { ServerContext } from '../context.ts';

export interface ThrottleVerdict {
  blocked: boolean;
  retryAfterSeconds: number;
}

const accountKey = (email: string): string => `login:account:${email}`;
const ipKey = (ip: string): string => `login:ip:${ip}`;

export async function countLoginAttempt(ctx: ServerContext, email: string, ip: string): Promise<ThrottleVerdict> {
  const { perAccount, perIp, windowSeconds } = ctx.options.loginThrottle;
  const windowMs = windowSeconds * 1000;
  const now = ctx.clock.now();
  const accountHits = await ctx.store.rateLimits.hit(accountKey(email), windowMs, now);
  const ipHits = await ctx.store.rateLimits.hit(ipKey(ip), windowMs, now);
  const retryAfterSeconds = Math.max(1, Math.ceil((windowMs - (now % windowMs)) / 1000));
  return { blocked: accountHits > perAccount || ipHits > perIp, retryAfterSeconds };
}

export const clearAccountAttempts = (ctx: ServerContext, email: string): Promise<void> => ctx.store.rateLimits.reset(accountKey(email));
