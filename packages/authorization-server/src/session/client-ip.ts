/**
 * The peer address for throttling. Taken from the socket that
 * @hono/node-server exposes as `env.incoming`; proxy headers are not
 * trusted here (a forged X-Forwarded-For would pick its own bucket).
 */
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

export function clientIp(c: Context): string {
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
