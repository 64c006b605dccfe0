/**
 * Prometheus metrics (prom-client), one registry per server so that tests
 * and embedders can run several. Request counts and latencies are observed
 * by the access log (access-log.ts); token counts come from the server's
 * events; the rest is read at scrape time (never on a request path).
 * docs/operations.md lists every series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock, EventBus } from '@gatehouse-auth/core';
import { countActiveRefreshFamilies, poolStats, type Store } from '@gatehouse-auth/store';
import type { AuditLog } from '@gatehouse-auth/audit';

export interface ServerMetrics {
  registry: Registry;
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** The resource-server SDK's introspection cache (the demo MCP server run beside `gatehouse dev`). */
  introspectionCache: Counter<'result'>;
  stop(): void;
}

/** How long the refresh-family count (a table scan on the index) is reused between scrapes. */
const FAMILY_COUNT_TTL_MS = 10_000;

export function createServerMetrics(store: Store, events: EventBus, clock: Clock, audit: AuditLog | undefined): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const requests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time to the response head, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const issued = new Counter({
    name: 'gatehouse_tokens_issued_total',
    help: 'Access tokens issued (token.issued) and refresh rotations (token.refreshed).',
    labelNames: ['event'],
    registers: [registry],
  });
  const revoked = new Counter({ name: 'gatehouse_tokens_revoked_total', help: 'Tokens revoked, by event and reason.', labelNames: ['event', 'reason'], registers: [registry] });
  const introspectionCache = new Counter({
    name: 'gatehouse_rs_introspection_cache_total',
    help: 'Resource-server SDK introspection cache lookups (hit, coalesced, miss), from SDKs given the onCacheLookup hook.',
    labelNames: ['result'],
    registers: [registry],
  });

  let families: { value: number; at: number } | undefined;
  new Gauge({
    name: 'gatehouse_active_refresh_families',
    help: 'Refresh-token families with a live refresh token.',
    registers: [registry],
    async collect() {
      const now = clock.now();
      if (!families || now - families.at > FAMILY_COUNT_TTL_MS) families = { value: await countActiveRefreshFamilies(store, now), at: now };
      this.set(families.value);
    },
  });
  if (audit) {
    new Gauge({
      name: 'gatehouse_audit_pending_records',
      help: 'Audit records waiting for their group commit.',
      registers: [registry],
      collect() {
        this.set(audit.backlog().records);
      },
    });
    new Gauge({
      name: 'gatehouse_audit_append_lag_seconds',
      help: 'How long the oldest waiting audit record has waited.',
      registers: [registry],
      collect() {
        this.set(audit.backlog().oldestMs / 1000);
      },
    });
  }
  new Gauge({
    name: 'gatehouse_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting callers, max).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = poolStats(store);
      if (!stats) return;
      for (const [state, value] of Object.entries(stats)) this.set({ state }, value);
    },
  });

  const unsubscribe = events.subscribe((event) => {
    if (event.type === 'token.issued' || event.type === 'token.refreshed') issued.inc({ event: event.type });
    else if ('tokenHashes' in event && event.tokenHashes.length > 0) {
      revoked.inc({ event: event.type, reason: event.type === 'token.revoked' ? event.reason : event.type }, event.tokenHashes.length);
    }
  });

  return {
    registry,
    introspectionCache,
    observeRequest(route, method, status, seconds) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
    stop: unsubscribe,
  };
}
