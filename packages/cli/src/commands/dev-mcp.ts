/**
 * Starts the example company's MCP server beside `gatehouse dev`. It is
 * imported lazily and by a name the compiler does not follow: it is a demo
 * in this repository, not a dependency of the published CLI, and a missing
 * or broken example must not stop the authorization server.
 *
 * It authenticates with the config's resource-server client for its
 * resource (`resource_server_for`: only such a client may introspect and
 * follow the revocation stream) and serves the orgs the resource serves,
 * read from the store as ids (issue 10: the SDK checks `org_id` again).
 */
import type { Logger } from 'pino';
import { canonicalResourceUri } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { auditDecisions, auditRefusedTokens, type AuditLog } from '@gatehouse-auth/audit';
import type { GatehouseConfig } from '../config/schema.ts';
import type { ServerMetrics } from '../operations/metrics.ts';

const EXAMPLE_PACKAGE: string = '@gatehouse-auth/example-internal-company';

/** The part of the example's API used here (examples/internal-company/src/server.ts). */
interface ExampleModule {
  startInternalCompanyServer(options: {
    host: string;
    port: number;
    issuer: string;
    resource: string;
    introspection: { clientId: string; clientSecret: string; onCacheLookup?: (result: string) => void };
    organizations: string[];
    onError?: (error: unknown) => void;
    onDecision?: ReturnType<typeof auditDecisions>;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

export async function startDemoMcpServer(
  config: GatehouseConfig,
  issuer: string,
  resource: string,
  logger: Logger,
  store: Store,
  audit?: AuditLog,
  metrics?: ServerMetrics,
): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const canonical = canonicalResourceUri(resource) ?? resource;
  const client = config.clients.find((c) => c.secret && c.resource_server_for.some((uri) => canonicalResourceUri(uri) === canonical));
  if (!client?.secret) {
    logger.warn(`demo MCP server not started: no client with a secret has resource_server_for: [${resource}] (needed to introspect)`);
    return undefined;
  }
  const served = await store.resources.get(canonical);
  if (!served || served.multiTenant || served.organizations.length === 0) {
    logger.warn(`demo MCP server not started: the resource ${resource} must name the organizations it serves`);
    return undefined;
  }
  try {
    const { startInternalCompanyServer } = (await import(EXAMPLE_PACKAGE)) as ExampleModule;
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
      organizations: served.organizations,
      onError: (error) => logger.error({ err: error }, 'demo MCP server error'),
      // Every tool call (denied, or run with its outcome) and every refused token (aggregated)
      // lands in the same hash-chained log as token and admin events.
      ...(audit ? { onDecision: auditDecisions(audit), onRefusedTokens: auditRefusedTokens(audit) } : {}),
    });
  } catch (error) {
    logger.warn({ err: error }, 'demo MCP server not started');
    return undefined;
  }
}
