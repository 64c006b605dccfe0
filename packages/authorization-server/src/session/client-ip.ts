/**
 * The client address for throttling. The server in front of the app
 * (packages/cli `normaliseForwarded`) rewrites X-Forwarded-For: without
 * trustProxy it is replaced by the socket peer; with trustProxy the
 * reverse proxy has appended the address it saw. Either way the LAST entry
 * is the one nobody but us or our proxy wrote (entries to its left come
 * from the client and can be forged). Without the header, the socket that
 * @hono/node-server exposes as `env.incoming` is used. Embedders serving
 * the app themselves must normalise the header the same way (docs/login.md).
 */
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

export function clientIp(c: Context): string {
  return requesterAddress(c.req.header('x-forwarded-for'), c.env);
}

/** The same address from the X-Forwarded-For value and the server's env, for code that has no Hono context. */
export function requesterAddress(forwardedFor: string | null | undefined, env: unknown): string {
  const last = forwardedFor
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .at(-1);
  if (last) return last;
  return (env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
}
