/**
 * Reading a request's headers without materialising them. Under
 * @hono/node-server a Request's `headers` is built on first access from
 * Node's IncomingMessage (an undici Headers object, every header copied
 * and validated), which was ~6% of a token request's CPU; the form
 * endpoints need two or three headers and read them from Node's own
 * already-parsed, lower-cased object instead.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** The part of `Headers` the OAuth endpoints use. */
export interface RequestHeaders {
  get(name: string): string | null;
}

export function requestHeaders(request: Request | undefined, incoming: IncomingMessage | undefined): RequestHeaders {
  if (!incoming) return request!.headers;
  const raw = incoming.headers;
  return {
    get(name) {
      const value = raw[name.toLowerCase()];
      if (value === undefined) return null;
      // Headers joins repeated values with ", "; only a few (set-cookie) come as arrays here.
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** Node's IncomingMessage when the app runs under @hono/node-server (its `env.incoming`), else undefined. */
export function nodeIncoming(env: unknown): IncomingMessage | undefined {
  const incoming = (env as { incoming?: unknown } | undefined)?.incoming;
  return incoming instanceof Readable && 'headers' in incoming ? (incoming as IncomingMessage) : undefined;
}
