/**
 * GET /healthz (liveness: the process answers) and GET /readyz
 * (readiness: send it traffic). Ready means the database answers a
 * `SELECT 1` within two seconds, the signing key is loaded, the audit
 * writer's last commit succeeded and nothing has waited in its queue for
 * more than 30 s, and the server is not shutting down. The body names
 * each check as ok or failing, never why (the reasons are logged): the
 * endpoints are reachable by anyone who reaches the server.
 */
import type { Logger } from 'pino';
import type { ServerContext } from '@gatehouse-auth/authorization-server';
import { activeSigningKey } from '@gatehouse-auth/authorization-server';
import type { AuditLog } from '@gatehouse-auth/audit';

const CHECK_TIMEOUT_MS = 2_000;
const AUDIT_MAX_LAG_MS = 30_000;

export interface HealthSources {
  context: ServerContext;
  audit: AuditLog | undefined;
  logger: Logger;
  /** True once shutdown has begun: load balancers must stop sending traffic. */
  draining: () => boolean;
}

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const healthz = (): Response => json(200, { status: 'ok' });

export async function readyz(sources: HealthSources): Promise<Response> {
  const checks: Record<string, () => Promise<void>> = {
    database: () => sources.context.store.ping(),
    signing_keys: async () => void (await activeSigningKey(sources.context)),
    audit: async () => {
      if (!sources.audit) return;
      const backlog = sources.audit.backlog();
      if (backlog.failing) throw new Error('the last audit commit failed');
      if (backlog.oldestMs > AUDIT_MAX_LAG_MS) throw new Error(`an audit record has waited ${backlog.oldestMs} ms`);
    },
  };
  const results: Record<string, 'ok' | 'failing'> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS);
        results[name] = 'ok';
      } catch (error) {
        results[name] = 'failing';
        sources.logger.warn({ check: name, err: error }, 'readiness check failed');
      }
    }),
  );
  if (sources.draining()) return json(503, { status: 'draining', checks: results });
  const ready = Object.values(results).every((r) => r === 'ok');
  return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks: results });
}
