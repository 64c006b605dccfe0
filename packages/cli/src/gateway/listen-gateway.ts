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
import { REDACT_PATHS } from '../server/logger.ts';

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
    await audit.append(decisionToEntry(record, { upstream: record.upstream }));
  };

/**
 * Without an audit log: one log line per decision, arguments redacted (secrets never reach the log).
 *
 * The line `{ audit: … }` skips pino's path redaction: @pinojs/redact re-parses its paths on every
 * line, about 14 KB and 10 µs per call, a tenth of what the gateway allocates per call. On this one
 * shape the only paths that can match are the `*.<field>` ones, meaning a secret-named field of
 * `audit`; that rule is applied here, with the same censor (the test compares the lines with the
 * logger's own redaction).
 */
export function logGatewayDecisions(logger: Logger): (record: GatewayDecisionRecord) => void {
  const redact = createRedactor();
  const line = decisionLine(logger);
  return (record) => {
    const entry = decisionToEntry(record, { upstream: record.upstream });
    entry.params = redact(entry.params ?? {});
    line(entry);
  };
}

/** Field names the logger redacts one level down wherever they appear (its `*.<field>` paths). */
const SECRET_FIELDS = REDACT_PATHS.filter((path) => path.startsWith('*.')).map((path) => path.slice(2));

/** Logs `{ audit }` as 'gateway decision', redacted as `logger` would redact it, without its per-line path parsing. */
export function decisionLine(logger: Logger): (audit: object) => void {
  const lines = logger.child({}, { redact: [] });
  return (audit) => {
    let redacted = audit as Record<string, unknown>;
    for (const field of SECRET_FIELDS) {
      if (!(field in audit)) continue;
      if (redacted === audit) redacted = { ...audit };
      redacted[field] = '[redacted]';
    }
    lines.info({ audit: redacted }, 'gateway decision');
  };
}
