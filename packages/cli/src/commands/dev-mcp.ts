/**
 * Starts the example company's MCP server beside `gatehouse dev`. It is
 * imported lazily and by a name the compiler does not follow: it is a demo
 * in this repository, not a dependency of the published CLI, and a missing
 * or broken example must not stop the authorization server.
 */
import type { Logger } from 'pino';
import { auditDecisions, type AuditLog } from '@gatehouse-auth/audit';
import type { GatehouseConfig } from '../config/schema.ts';

const INTROSPECTION_CLIENT = 'internal-company-mcp';
const EXAMPLE_PACKAGE: string = '@gatehouse-auth/example-internal-company';

/** The part of the example's API used here (examples/internal-company/src/server.ts). */
interface ExampleModule {
  startInternalCompanyServer(options: {
    host: string;
    port: number;
    issuer: string;
    resource: string;
    introspection: { clientId: string; clientSecret: string };
    onError?: (error: unknown) => void;
    onDecision?: ReturnType<typeof auditDecisions>;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

export async function startDemoMcpServer(config: GatehouseConfig, issuer: string, resource: string, logger: Logger, audit?: AuditLog): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const client = config.clients.find((c) => c.client_id === INTROSPECTION_CLIENT);
  if (!client?.secret) {
    logger.warn(`demo MCP server not started: the config has no client "${INTROSPECTION_CLIENT}" with a secret for introspection`);
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
      introspection: { clientId: client.client_id, clientSecret: client.secret },
      onError: (error) => logger.error({ err: error }, 'demo MCP server error'),
      // Every tool call, allowed or denied, lands in the same hash-chained log as token and admin events.
      ...(audit ? { onDecision: auditDecisions(audit) } : {}),
    });
  } catch (error) {
    logger.warn({ err: error }, 'demo MCP server not started');
    return undefined;
  }
}
