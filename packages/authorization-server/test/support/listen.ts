/**
 * Serves a web-standard fetch handler on 127.0.0.1 at a random port. The
 * handler can be bound after the port is known, because an issuer or a
 * resource URI must contain the port before the app that uses it is built.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface Listening {
  /** Origin, e.g. `http://127.0.0.1:53211` (no trailing slash). */
  origin: string;
  port: number;
  /** Binds (or replaces) the handler that answers requests. */
  handle(fetch: FetchHandler): void;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Serve https with this key pair (see tls.ts). */
  tls?: { key: string; cert: string };
}

export async function listen(fetch?: FetchHandler, options: ListenOptions = {}): Promise<Listening> {
  let current: FetchHandler = fetch ?? (() => new Response('not ready', { status: 503 }));
  const listener = getRequestListener((request) => current(request));
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago, for tools that insist on binding it themselves. */
export async function reserveFreePort(): Promise<number> {
  const probe = await listen();
  await probe.close();
  return probe.port;
}
