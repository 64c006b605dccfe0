/**
 * The gateway on a listener of its own (for `gatehouse gateway`, and beside
 * the authorization server under `gatehouse serve`), and where its decision
 * records go: the hash-chained audit log when there is one (serve), else
 * the log as JSON lines with arguments redacted as the audit log would.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { createRedactor, decisionToEntry, type AuditLog } from '@gatehouse-auth/audit';
import { gatewayRequestListener, type Gateway, type GatewayDecisionRecord } from '@gatehouse-auth/gateway';

export interface ListeningGateway {
  url: string;
  close(): Promise<void>;
}

export async function listenGateway(gateway: Gateway, host: string, port: number): Promise<ListeningGateway> {
  // MCP POSTs take the gateway's node-level path (node-listener.ts); everything else goes through @hono/node-server.
  const fallback = getRequestListener((request, env) => gateway.fetch(request, { ip: (env as { incoming?: IncomingMessage }).incoming?.socket.remoteAddress }));
  const server = createServer(gatewayRequestListener(gateway, fallback));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every decision (a denial, or an allowed call with its outcome) as an `authz.decision` audit record naming the upstream. */
export const auditGatewayDecisions =
  (audit: AuditLog) =>
  async (record: GatewayDecisionRecord): Promise<void> => {
    const entry = decisionToEntry(record);
    await audit.append({ ...entry, details: { ...entry.details, upstream: record.upstream } });
  };

/** Without an audit log: one log line per decision, arguments redacted (secrets never reach the log). */
export function logGatewayDecisions(logger: Logger): (record: GatewayDecisionRecord) => void {
  const redact = createRedactor();
  return (record) => {
    const entry = decisionToEntry(record);
    logger.info({ audit: { ...entry, params: redact(entry.params ?? {}), details: { ...entry.details, upstream: record.upstream } } }, 'gateway decision');
  };
}
