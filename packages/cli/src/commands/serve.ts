/**
 * `gatehouse serve`: production. State in GATEHOUSE_DATABASE_URL (any
 * number of processes may share a PostgreSQL database), config applied at
 * start, TLS directly or behind a proxy.
 */
import type { Command } from 'commander';
import { loadConfigFile } from '../config/load.ts';
import { startGatehouse } from '../server/start.ts';
import { createLogger } from '../server/logger.ts';
import { CliError } from '../cli/errors.ts';
import { checkIssuer } from '../cli/issuer.ts';
import { closeOnSignal, listenError } from '../cli/lifecycle.ts';
import { isLoopbackHost } from '@gatehouse-auth/core';

interface ServeFlags {
  config: string;
  host: string;
  port: string;
  issuer?: string;
  databaseUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: boolean;
  allowInsecureIssuer?: boolean;
  logLevel: string;
  metricsPort?: string;
  metricsHost: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the authorization server (production)')
    .requiredOption('--config <file>', 'gatehouse.yaml, applied at start')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '4000')
    .option('--issuer <url>', 'issuer URL (default: issuer in the config)')
    .option('--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL)')
    .option('--tls-cert <file>', 'PEM certificate chain: serve https directly')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--trust-proxy', 'honour X-Forwarded-For/-Proto set by a reverse proxy in front')
    .option('--allow-insecure-issuer', 'accept an http issuer on a non-loopback host (test rigs only)')
    .option('--log-level <level>', 'pino level: fatal, error, warn, info, debug', 'info')
    .option('--metrics-port <port>', 'serve Prometheus /metrics on this port of its own (default: GATEHOUSE_METRICS_PORT; none when unset)')
    .option('--metrics-host <address>', 'address of the metrics listener', '127.0.0.1')
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port: not a port number: ${flags.port}`);
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new CliError('--tls-cert and --tls-key go together');
      const metricsPortText = flags.metricsPort ?? process.env.GATEHOUSE_METRICS_PORT;
      const metricsPort = metricsPortText === undefined || metricsPortText === '' ? undefined : Number(metricsPortText);
      if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65_535)) throw new CliError(`--metrics-port: not a port number: ${metricsPortText}`);
      const databaseUrl = flags.databaseUrl ?? process.env.GATEHOUSE_DATABASE_URL;
      if (!databaseUrl) throw new CliError('no database: set GATEHOUSE_DATABASE_URL (e.g. postgres://… or sqlite:/var/lib/gatehouse/gatehouse.sqlite)');
      // Read the file without secrets first: the issuer decides whether literal secrets are acceptable.
      const draft = await loadConfigFile(flags.config, { allowLiteralSecrets: true, env: new Proxy({}, { get: () => 'x'.repeat(32) }) });
      const issuer = flags.issuer ?? draft.issuer;
      if (!issuer) throw new CliError('no issuer: set issuer in the config file or pass --issuer');
      const url = checkIssuer(issuer, flags.allowInsecureIssuer ?? false);
      // Loopback document fetches exist for a developer's own machine; behind a public issuer they let anyone
      // make this server probe its own loopback ports with client_id URLs (issue 10 #10).
      if (draft.server?.cimd?.allow_loopback && !isLoopbackHost(url.hostname)) {
        throw new CliError(`server.cimd.allow_loopback is for development only and needs a loopback issuer, not ${issuer}: remove it`);
      }
      const config = await loadConfigFile(flags.config, { allowLiteralSecrets: isLoopbackHost(url.hostname) });
      const logger = createLogger({ level: flags.logLevel as 'info' });
      const gatehouse = await startGatehouse({
        databaseUrl,
        config,
        issuer,
        host: flags.host,
        port,
        trustProxy: flags.trustProxy ?? false,
        logger,
        // Metrics stay off the public listener: a port of their own, for the scraper's network only.
        metrics: metricsPort === undefined ? false : { port: metricsPort, host: flags.metricsHost },
        ...(flags.tlsCert && flags.tlsKey ? { tls: { certFile: flags.tlsCert, keyFile: flags.tlsKey } } : {}),
        options: { allowInsecureIssuer: flags.allowInsecureIssuer ?? false },
      }).catch((error: unknown) => {
        throw new CliError(listenError(error, port).message);
      });
      logger.info({ url: gatehouse.url, issuer: gatehouse.issuer, changes: gatehouse.changes.length }, 'gatehouse listening');
      process.stdout.write(`Gatehouse listening on ${gatehouse.url} (issuer ${gatehouse.issuer})${gatehouse.metricsUrl ? `, metrics on ${gatehouse.metricsUrl}` : ''}\n`);
      await closeOnSignal(() => gatehouse.close());
    });
}
