/**
 * Composes a running Gatehouse: store → config applied → authorization
 * server app → HTTP(S) listener. `gatehouse dev`, `gatehouse serve` and
 * every end-to-end test start the server through this one function.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Logger, LevelWithSilent } from 'pino';
import { sha256, systemClock, type Clock, type EventBus } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { createAuthorizationServerApp, mountOrgAdminApp, resolveOptions, type PartialOptions, type ServerContext, startGrantExpirySweep } from '@gatehouse-auth/authorization-server';
import { apply } from '../config/apply.ts';
import type { Change } from '../config/plan.ts';
import { loadConfigFile, type LoadOptions } from '../config/load.ts';
import type { GatehouseConfig } from '../config/schema.ts';
import { toServerOptions } from '../config/server-options.ts';
import { contextLog, createLogger } from './logger.ts';
import { compileTrustProxy, nodeBindings, type TrustProxy } from './forwarded.ts';
import { createProcessEvents } from './events.ts';
import { wireOperations, type MetricsExposure } from '../operations/wire.ts';
import { oauthListener } from './oauth-listener.ts';
import type { ServerMetrics } from '../operations/metrics.ts';
import { startSiem, type RunningSiem } from './siem.ts';
import { mountScim } from './scim.ts';
import { auditRoutes, type AuditLog, type AuditSigner } from '@gatehouse-auth/audit';

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
  /**
   * Which reverse proxies in front may set X-Forwarded-For/-Proto: a hop
   * count or address ranges (forwarded.ts). Default: the config's
   * `server.trust_proxy`, else none.
   */
  trustProxy?: TrustProxy;
  /** The admin API key; default GATEHOUSE_ADMIN_KEY. Only its SHA-256 is kept. */
  adminKey?: string;
  /** Overrides of the config's `server:` section (tests shorten lifetimes here). */
  options?: Omit<PartialOptions, 'issuer'>;
  /** Default: an in-process bus. Either way the audit log is subscribed unless `audit` is false. */
  events?: EventBus;
  /** Record events in the hash-chained audit log. Default true. */
  audit?: boolean;
  /** Signs the audit log's periodic checkpoints. Default: the key in GATEHOUSE_AUDIT_KEY_FILE, else none. */
  auditSigner?: AuditSigner;
  /** How often each chain gets a signed checkpoint (AuditLog default: 10,000 records / 60 s). */
  auditCheckpointEvery?: { records?: number; ms?: number };
  clock?: Clock;
  logger?: Logger;
  /** Used when no logger is given. Default 'warn'. */
  logLevel?: LevelWithSilent;
  /** Where /metrics is served (operations/wire.ts). Default: nowhere. */
  metrics?: MetricsExposure;
  /** How long close() waits for requests in flight. Default 10 s. */
  drainTimeoutMs?: number;
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
  /** The hash-chained audit log this process writes (undefined with `audit: false`). */
  audit: AuditLog | undefined;
  /** The server's Prometheus registry and counters. */
  metrics: ServerMetrics;
  /** Set when metrics have a listener of their own. */
  metricsUrl: string | undefined;
  /** Graceful: stops accepting, answers requests in flight, flushes the audit log, closes the store. */
  close(): Promise<void>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Caller overrides win over the config file, merged one level deep (`cimd: { allowLoopback }` keeps the file's other cimd keys). */
function mergeOptions(fromConfig: PartialOptions, overrides: Omit<PartialOptions, 'issuer'>): PartialOptions {
  const merged: Record<string, unknown> = { ...fromConfig };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const base = merged[key];
    merged[key] = isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  return merged as PartialOptions;
}

export async function startGatehouse(input: StartOptions = {}): Promise<RunningGatehouse> {
  const logger = input.logger ?? createLogger({ level: input.logLevel ?? 'warn' });
  const clock = input.clock ?? systemClock;
  const config = typeof input.config === 'string' ? await loadConfigFile(input.config, input.load) : input.config;
  const tls = input.tls ? { cert: await readFile(input.tls.certFile), key: await readFile(input.tls.keyFile) } : undefined;
  const ownsStore = input.store === undefined;
  const databaseUrl = input.databaseUrl ?? 'sqlite::memory:';
  // The store reports lost database connections through the server's logger (migration progress at debug).
  const storeLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => logger[level === 'info' ? 'debug' : level](fields ?? {}, message);
  const store = input.store ?? (await createStore(databaseUrl, { log: storeLog }));
  let wired: Awaited<ReturnType<typeof createProcessEvents>> | undefined;
  let siem: RunningSiem | undefined;
  let expirySweep: ReturnType<typeof startGrantExpirySweep> | undefined;

  try {
    const notifyUrl = ownsStore && /^postgres(ql)?:/.test(databaseUrl) ? databaseUrl : undefined;
    wired = await createProcessEvents(store, clock, logger, {
      events: input.events,
      audit: input.audit,
      notifyUrl,
      auditSigner: input.auditSigner,
      checkpointEvery: input.auditCheckpointEvery,
      outbox: store.engine === 'sqlite' ? 'tail' : undefined,
    });
    const events = wired.events;
    siem = await startSiem(config?.siem, wired.audit, logger); // audit records streamed to syslog (TLS) / OTLP
    const changes = config ? (await apply(store, config, { events, clock })).changes : [];
    let handler: ((request: Request, incoming: IncomingMessage, outgoing: ServerResponse) => Response | Promise<Response>) | undefined;
    // What createAdaptorServer would build, with a listener in front once the app is composed (oauth-listener.ts).
    const appListener = getRequestListener((request, env) => {
      if (!handler) return new Response('starting', { status: 503, headers: { 'retry-after': '1' } });
      const node = env as { incoming: IncomingMessage; outgoing: ServerResponse };
      return handler(request, node.incoming, node.outgoing);
    });
    let listener: RequestListener = appListener;
    const serve: RequestListener = (incoming, outgoing) => listener(incoming, outgoing);
    const server = tls ? createHttpsServer(tls, serve) : createHttpServer({}, serve);
    const host = input.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(input.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const adminKey = input.adminKey ?? process.env.GATEHOUSE_ADMIN_KEY;
    const options = resolveOptions({
      ...mergeOptions(toServerOptions(config?.server ?? {}, input.issuer ?? url), input.options ?? {}),
      ...(adminKey ? { adminKeyHash: sha256(adminKey) } : {}),
    });
    const context: ServerContext = { store, events, clock, options, log: contextLog(logger) };
    const app = createAuthorizationServerApp(context);
    // Issue 16 §1: grants and time-boxed scopes that end by themselves are recorded when they end.
    expirySweep = startGrantExpirySweep(context);
    // Issue 16 §4: an org's admins query their own org's audit chain (the operator key reaches any org).
    mountOrgAdminApp(app, context, 'audit', (orgIdOf) => auditRoutes({ store: store.audit, orgIdOf }));
    mountScim(app, context); // issue 13: /scim/v2/<org>/… and the operator's SCIM token routes
    const trust = compileTrustProxy(input.trustProxy ?? config?.server.trust_proxy ?? false);
    // The request goes to the app as @hono/node-server made it; who sent it travels beside it.
    const ops = await wireOperations((request, incoming) => app.fetch(request, nodeBindings(incoming, trust, tls !== undefined)), {
      context,
      audit: wired.audit,
      logger,
      metrics: input.metrics,
      drainTimeoutMs: input.drainTimeoutMs,
    });
    handler = ops.handler;
    listener = oauthListener({ context, observed: ops, bindings: (incoming) => nodeBindings(incoming, trust, tls !== undefined), fallback: appListener });

    let closed = false;
    return {
      url,
      issuer: options.issuer,
      port,
      store,
      events,
      context,
      changes,
      audit: wired.audit,
      metrics: ops.metrics,
      metricsUrl: ops.metricsUrl,
      async close() {
        if (closed) return;
        closed = true;
        await ops.shutdown(server as import('node:http').Server);
        await expirySweep?.stop();
        await wired?.close();
        await siem?.close();
        if (ownsStore) await store.close();
      },
    };
  } catch (error) {
    await expirySweep?.stop();
    await siem?.close();
    await wired?.close();
    if (ownsStore) await store.close();
    throw error;
  }
}
