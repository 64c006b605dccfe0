/**
 * Starts the example company's MCP server beside `gatehouse dev`. It is
 * imported lazily: it is a demo, not a dependency of the CLI, and a
 * missing or broken example must not stop the authorization server.
 */
import type { Logger } from 'pino';
import { auditDecisions, type AuditLog } from '@gatehouse-auth/audit';
import type { GatehouseConfig } from '../config/schema.ts';
import type { ServerMetrics } from '../operations/metrics.ts';

const INTROSPECTION_CLIENT = 'internal-company-mcp';

export async function startDemoMcpServer(config: GatehouseConfig, issuer: string, resource: string, logger: Logger, audit?: AuditLog, metrics?: ServerMetrics): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const client = config.clients.find((c) => c.client_id === INTROSPECTION_CLIENT);
  if (!client?.secret) {
    logger.warn(`demo MCP server not started: the config has no client "${INTROSPECTION_CLIENT}" with a secret for introspection`);
    return undefined;
  }
  try {
    const { startInternalCompanyServer } = await import('@gatehouse-auth/example-internal-company');
    const url = new URL(resource);
    return await startInternalCompanyServer({
      host: url.hostname,
      port: Number(url.port || 80),
      issuer,
      resource,
      introspection: {
        clientId: client.client_id,
        clientSecret: client.secret,
        // Its cache hits show on the dev server's /metrics (gatehouse_rs_introspection_cache_total).
        ...(metrics ? { onCacheLookup: (result: string) => metrics.introspectionCache.inc({ result }) } : {}),
      },
      onError: (error) => logger.error({ err: error }, 'demo MCP server error'),
      // Every tool call, allowed or denied, lands in the same hash-chained log as token and admin events.
      ...(audit ? { onDecision: auditDecisions(audit) } : {}),
    });
  } catch (error) {
    logger.warn({ err: error }, 'demo MCP server not started');
    return undefined;
  }
}
