/**
 * `gatehouse gateway --config gateway.yaml`: the MCP gateway alone, in
 * front of MCP servers nobody wants to modify, against an authorization
 * server running elsewhere (docs/gateway.md).
 */
import type { Command } from 'commander';
import { pino } from 'pino';
import { listenError, runUntilSignal } from '../cli/lifecycle.ts';
import { CliError } from '../cli/errors.ts';
import { openGatewayAudit } from '../gateway/gateway-audit.ts';
import { loadGatewayFile } from '../gateway/gateway-file.ts';
import { LineBatches } from '../gateway/line-batches.ts';
import { listenGateway, logGatewayDecisions } from '../gateway/listen-gateway.ts';
import { createLogger } from '../server/logger.ts';

interface GatewayFlags {
  config: string;
  host?: string;
  port?: string;
  logLevel: string;
}

export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description('run the MCP gateway: org scopes, policy and audit in front of stdio and HTTP MCP servers')
    .requiredOption('--config <file>', 'gateway.yaml')
    .option('--host <address>', 'address to listen on (default: gateway.host in the config)')
    .option('--port <port>', 'port to listen on (default: gateway.port in the config)')
    .option('--log-level <level>', 'pino level: fatal, error, warn, info, debug', 'info')
    .action(async (flags: GatewayFlags) => {
      const loaded = await loadGatewayFile(flags.config);
      const destination = decisionLogDestination();
      const logger = createLogger({ level: flags.logLevel as 'info', destination });
      const port = flags.port === undefined ? loaded.config.gateway.port : Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port: not a port number: ${flags.port}`);
      const audit = loaded.auditDatabaseUrl
        ? await openGatewayAudit(loaded.auditDatabaseUrl, logger).catch((error: unknown) => {
            throw new CliError(`audit: cannot open the audit database: ${(error as Error).message}`);
          })
        : undefined;
      let gateway: Awaited<ReturnType<typeof loaded.create>>;
      try {
        gateway = await loaded.create({ onDecision: audit?.onDecision ?? logGatewayDecisions(logger), onError: (error) => logger.warn({ err: error }, 'gateway error') });
      } catch (error) {
        await audit?.close();
        throw error;
      }
      const listening = await listenGateway(gateway, flags.host ?? loaded.config.gateway.host, port).catch(async (error: unknown) => {
        await gateway.close();
        await audit?.close();
        throw new CliError(listenError(error, port).message);
      });
      for (const [name, resource] of Object.entries(gateway.resources)) logger.info({ upstream: name, resource }, 'upstream mounted');
      await runUntilSignal(
        () => {
          // The startup lines before the 'listening' line, in that order.
          destination.flushSync();
          process.stdout.write(`Gatehouse gateway listening on ${listening.url} (${Object.values(gateway.resources).join(', ')})\n`);
        },
        async () => {
          await listening.close();
          await audit?.close();
          destination.flushSync();
        },
      );
    });
}

/**
 * stdout for one JSON line per decision, written in batches: with a write
 * per line (pino's default) the syscalls cost the gateway about as much as
 * the rest of its logging. Lines are held until 4 KiB are waiting or for at
 * most 100 ms, and flushed on exit (line-batches.ts: pino.destination's own
 * minLength copied everything waiting on every line).
 */
function decisionLogDestination() {
  return new LineBatches(pino.destination({ dest: 1, sync: false }), 4096, 100);
}
