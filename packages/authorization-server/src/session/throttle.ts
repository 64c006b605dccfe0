/**
 * Login throttling (options.loginThrottle), keyed so that an attacker
 * cannot lock the owner out from the owner's usual network (issue 10 #8:
 * five wrong passwords a minute from anywhere used to block the right one
 * everywhere, indefinitely):
 *   - per account AND client network (/24, /64): `perAccount` attempts.
 *     Wrong guesses from one network block that network for that account,
 *     not the owner elsewhere;
 *   - per account across all networks: `perAccountAllNetworks`, much
 *     higher, the ceiling on a guessing attack spread over many networks
 *     (docs/login.md says what that costs the owner);
 *   - per client address: `perIp` across all accounts (spraying).
 * Every attempt is counted in a fixed window before the password is
 * checked, so a blocked caller learns nothing, and a wrong attempt never
 * resets anything. A successful login clears only its own (account,
 * network) counter; the others run out their window (a valid account of
 * the attacker's own must not unlock guessing at others).
 *
 * Keys never hold what was typed (issue 10 #11): the account is the
 * SHA-256 of the normalised email, and something that is not an email is
 * no account at all and counts against its address only.
 */
import { sha256 } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { networkOf } from './network.ts';

export interface ThrottleVerdict {
  blocked: boolean;
  retryAfterSeconds: number;
}

const account = (email: string): string => sha256(`login-account:${email}`);
const accountNetworkKey = (email: string, ip: string): string => `login:account-net:${account(email)}:${networkOf(ip)}`;
const accountKey = (email: string): string => `login:account:${account(email)}`;
const ipKey = (ip: string): string => `login:ip:${ip}`;

/** `email` is undefined when what was typed is not an email address (nothing to key by). */
export async function countLoginAttempt(ctx: ServerContext, email: string | undefined, ip: string): Promise<ThrottleVerdict> {
  const { perAccount, perAccountAllNetworks, perIp, windowSeconds } = ctx.options.loginThrottle;
  const windowMs = windowSeconds * 1000;
  const now = ctx.clock.now();
  const hit = (key: string): Promise<number> => ctx.store.rateLimits.hit(key, windowMs, now);
  let blocked = (await hit(ipKey(ip))) > perIp;
  if (email !== undefined) {
    const fromHere = await hit(accountNetworkKey(email, ip));
    const everywhere = await hit(accountKey(email));
    blocked ||= fromHere > perAccount || everywhere > perAccountAllNetworks;
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((windowMs - (now % windowMs)) / 1000));
  return { blocked, retryAfterSeconds };
}

export const clearAccountAttempts = (ctx: ServerContext, email: string, ip: string): Promise<void> => ctx.store.rateLimits.reset(accountNetworkKey(email, ip));
