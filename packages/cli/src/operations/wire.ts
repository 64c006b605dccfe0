/**
 * Puts the operational layer (access log, request ids, health, metrics,
 * graceful shutdown) around a server's request handler. start.ts calls
 * this once with the composed app and calls `shutdown` from close().
 */
import type { Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import type { ServerContext } from '@gatehouse-auth/authorization-server';
import type { AuditLog } from '@gatehouse-auth/audit';
import { createServerMetrics, type ServerMetrics } from './metrics.ts';
import { metricsResponse, observeRequests, type Handler, type Observed } from './access-log.ts';
import { healthz, readyz, type HealthSources } from './health.ts';
import { trackClientIds } from './request-scope.ts';

/**
 * Where /metrics is served. `false` (the default of startGatehouse and of
 * `gatehouse serve` without --metrics-port): nowhere. `'issuer-port'`: on
 * the server's own port (`gatehouse dev`). `{ port, host }`: on a listener
 * of its own (default host 127.0.0.1), kept off the public port.
 */
export type MetricsExposure = false | 'issuer-port' | { port: number; host?: string };

export interface OperationsOptions {
  context: ServerContext;
  audit: AuditLog | undefined;
  logger: Logger;
  metrics?: MetricsExposure;
  /** How long shutdown waits for requests in flight before closing connections. Default 10 s. */
  drainTimeoutMs?: number;
}

export interface Operations {
  handler: Handler;
  /** The same layer around a request the server answers from Node directly (server/oauth-listener.ts). */
  serveNode: Observed['serveNode'];
  metrics: ServerMetrics;
  /** `http://host:port/metrics` when metrics have a listener of their own. */
  metricsUrl: string | undefined;
  /**
   * Graceful stop: readiness turns 503, the listener stops accepting, every
   * request in flight gets its answer (up to the drain timeout), then the
   * remaining connections (idle keep-alives, event streams) are closed.
   */
  shutdown(server: Server): Promise<void>;
}

/** No request started or in flight for this long: the clients still connected have gone quiet. */
const DRAIN_QUIET_MS = 250;

export async function wireOperations(inner: Handler, options: OperationsOptions): Promise<Operations> {
  const { context, audit, logger } = options;
  let draining = false;
  const metrics = createServerMetrics(context.store, context.events, context.clock, audit);
  const untrack = trackClientIds(context.events);
  const health: HealthSources = { context, audit, logger, draining: () => draining };
  const observed = observeRequests(inner, {
    logger,
    metrics,
    health,
    exposeMetrics: options.metrics === 'issuer-port',
    issuerPath: new URL(context.options.issuer).pathname.replace(/\/$/, ''),
  });

  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (typeof options.metrics === 'object') {
    const host = options.metrics.host ?? '127.0.0.1';
    metricsServer = createAdaptorServer({
      fetch: (request) => {
        const path = new URL(request.url).pathname;
        if (path === '/metrics') return metricsResponse(metrics);
        if (path === '/healthz') return healthz();
        if (path === '/readyz') return readyz(health);
        return new Response('not found', { status: 404 });
      },
    }) as Server;
    await new Promise<void>((resolve, reject) => {
      metricsServer!.once('error', reject);
      metricsServer!.listen(options.metrics && typeof options.metrics === 'object' ? options.metrics.port : 0, host, () => resolve());
    });
    const { port } = metricsServer.address() as AddressInfo;
    metricsUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
  }

  return {
    handler: observed.handler,
    serveNode: observed.serveNode,
    metrics,
    metricsUrl,
    async shutdown(server) {
      draining = true;
      // Stop accepting without cutting idle keep-alive connections (http.Server#close would, since
      // Node 19): a client may be writing its next request on one right now, and that request would
      // be lost rather than answered. Every response from here on says Connection: close, so clients
      // leave on their own; what is still open after a quiet spell (or at the deadline) is closed.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      for (let remaining = deadline - Date.now(); remaining > 0; remaining = deadline - Date.now()) {
        // The deadline timer is cancelled once idle wins: left running it kept the process alive
        // for the whole drain timeout after everything had closed (Ctrl-C on `gatehouse dev` took 11 s).
        const deadlineTimer = new AbortController();
        await Promise.race([observed.idle(), sleep(remaining, undefined, { signal: deadlineTimer.signal }).catch(() => undefined)]);
        deadlineTimer.abort();
        const seen = observed.requestsSeen();
        await sleep(Math.min(DRAIN_QUIET_MS, Math.max(0, deadline - Date.now())));
        if (observed.inFlight() === 0 && observed.requestsSeen() === seen) break;
      }
      // Let the last responses' bodies reach their sockets before the connections go.
      await sleep(20);
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      untrack();
      metrics.stop();
      if (metricsServer) {
        const stopping = new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
        (metricsServer as { closeAllConnections?: () => void }).closeAllConnections?.();
        await stopping;
      }
    },
  };
}
