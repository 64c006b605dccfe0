/**
 * The client address for throttling. The `gatehouse` server passes it in
 * Hono's `env` as `clientAddress`, worked out from the socket peer and
 * the X-Forwarded-For entries its trusted proxies wrote (packages/cli
 * server/forwarded.ts); the request's own headers are then never read, so
 * a client cannot pick its bucket. Embedders serving the app themselves
 * without that binding get the old rule: the LAST X-Forwarded-For entry
 * (they must normalise the header, docs/login.md), else the socket peer
 * that @hono/node-server exposes as `env.incoming`.
 */
import type { Context } from 'hono';

interface NodeBindings {
  clientAddress?: string;
  incoming?: { socket?: { remoteAddress?: string } };
}

export function clientIp(c: Context): string {
  return requesterAddress(c.req.header('x-forwarded-for'), c.env);
}

/** The same address from the X-Forwarded-For value and the server's env, for code that has no Hono context. */
export function requesterAddress(forwardedFor: string | null | undefined, bindings: unknown): string {
  const env = bindings as NodeBindings | undefined;
  const bound = env?.clientAddress;
  if (typeof bound === 'string') return bound || 'unknown';
  const last = forwardedFor
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .at(-1);
  if (last) return last;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
