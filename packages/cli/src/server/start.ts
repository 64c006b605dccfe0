/**
 * Composes a running Gatehouse: store → config applied → authorization
 * server app → HTTP(S) listener. `gatehouse dev`, `gatehouse serve` and
 * every end-to-end test start the server through this one function.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger, LevelWithSilent } from 'pino';
import { LocalEventBus, sha256, systemClock, type Clock, type EventBus } from '@gatehouse/core';
import { createStore, type Store } from '@gatehouse/store';
import { createAuthorizationServerApp, resolveOptions, type AuthorizationServerOptions, type ServerContext } from '@gatehouse/authorization-server';
import { apply } from '../config/apply.ts';
import type { Change } from '../config/plan.ts';
import { loadConfigFile, type LoadOptions } from '../config/load.ts';
import type { GatehouseConfig } from '../config/schema.ts';
import { toServerOptions } from '../config/server-options.ts';
import { contextLog, createLogger } from './logger.ts';
import { normaliseForwarded } from './forwarded.ts';

export interface StartOptions {
  /** `sqlite::memory:` (default), `sqlite:PATH` or `postgres://…`. Ignored when `store` is given. */
  databaseUrl?: string;
  /** An open store to use instead; the caller keeps ownership (close() leaves it open). */
  store?: Store;
  /** A gatehouse.yaml path or an already loaded config; applied before listening. */
  config?: string | GatehouseConfig;
  /** Passed to the loader when `config` is a path. */
  load?: LoadOptions;
  /** Default: `http(s)://host:port` of the listener (so port 0 works). */
  issuer?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** PEM files; when both are set the server speaks HTTPS. */
  tls?: { certFile: string; keyFile: string };
  /** Honour X-Forwarded-For/-Proto from a reverse proxy in front. Default false. */
  trustProxy?: boolean;
  /** The admin API key; default GATEHOUSE_ADMIN_KEY. Only its SHA-256 is kept. */
  adminKey?: string;
  /** Overrides of the config's `server:` section (tests shorten lifetimes here). */
  options?: Partial<Omit<AuthorizationServerOptions, 'issuer'>>;
  events?: EventBus;
  clock?: Clock;
  logger?: Logger;
  /** Used when no logger is given. Default 'warn'. */
  logLevel?: LevelWithSilent;
}

export interface RunningGatehouse {
  /** Where the server listens, e.g. http://127.0.0.1:41234 */
  url: string;
  issuer: string;
  port: number;
  store: Store;
  events: EventBus;
  context: ServerContext;
  /** What applying the config changed. */
  changes: Change[];
  close(): Promise<void>;
}

export async function startGatehouse(input: StartOptions = {}): Promise<RunningGatehouse> {
  const logger = input.logger ?? createLogger({ level: input.logLevel ?? 'warn' });
  const clock = input.clock ?? systemClock;
  const events = input.events ?? new LocalEventBus(() => clock.now(), (error) => logger.error({ err: error }, 'event listener failed'));
  const config = typeof input.config === 'string' ? await loadConfigFile(input.config, input.load) : input.config;
  const tls = input.tls ? { cert: await readFile(input.tls.certFile), key: await readFile(input.tls.keyFile) } : undefined;
  const ownsStore = input.store === undefined;
  const store = input.store ?? (await createStore(input.databaseUrl ?? 'sqlite::memory:'));

  try {
    const changes = config ? (await apply(store, config, { events, clock })).changes : [];
    let handler: ((request: Request, incoming: IncomingMessage) => Response | Promise<Response>) | undefined;
    const server = createAdaptorServer({
      fetch: (request, env) => {
        if (!handler) return new Response('starting', { status: 503, headers: { 'retry-after': '1' } });
        return handler(request, (env as { incoming: IncomingMessage }).incoming);
      },
      ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}),
    });
    const host = input.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(input.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const adminKey = input.adminKey ?? process.env.GATEHOUSE_ADMIN_KEY;
    const options = resolveOptions({
      ...toServerOptions(config?.server ?? {}, input.issuer ?? url),
      ...input.options,
      ...(adminKey ? { adminKeyHash: sha256(adminKey) } : {}),
    } as Parameters<typeof resolveOptions>[0]);
    const context: ServerContext = { store, events, clock, options, log: contextLog(logger) };
    const app = createAuthorizationServerApp(context);
    const trustProxy = input.trustProxy ?? false;
    handler = (request, incoming) => app.fetch(normaliseForwarded(request, incoming, trustProxy, tls !== undefined), { incoming });

    let closed = false;
    return {
      url,
      issuer: options.issuer,
      port,
      store,
      events,
      context,
      changes,
      async close() {
        if (closed) return;
        closed = true;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        if (ownsStore) await store.close();
      },
    };
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }
}
