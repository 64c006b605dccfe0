/**
 * What `gatehouse serve` starts, from its flags: the checks, the config
 * read twice (the issuer decides whether literal secrets are acceptable),
 * the logger, and `startGatehouse` with the options that follow. The
 * command and `npm run bench as` both call this one function, so the
 * benchmark measures the server users run (packages/cli/test/server/serve-composition.test.ts).
 */
import { isLoopbackHost } from '@gatehouse-auth/core';
import { loadConfigFile } from '../config/load.ts';
import { CliError } from '../cli/errors.ts';
import { checkIssuer } from '../cli/issuer.ts';
import { listenError } from '../cli/lifecycle.ts';
import { createLogger } from './logger.ts';
import { parseTrustProxy } from './forwarded.ts';
import { startGatehouse, type RunningGatehouse, type StartOptions } from './start.ts';

export interface ServeFlags {
  config: string;
  host: string;
  port: string;
  issuer?: string;
  databaseUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** `true` (flag alone), a hop count or comma-separated address ranges; absent: the config's `server.trust_proxy`. */
  trustProxy?: boolean | string;
  allowInsecureIssuer?: boolean;
  logLevel: string;
  /** A port of its own for Prometheus /metrics (default GATEHOUSE_METRICS_PORT; none when unset). */
  metricsPort?: string;
  metricsHost?: string;
}

/** The StartOptions `gatehouse serve` passes for these flags (exported for the composition test). */
export async function serveStartOptions(flags: ServeFlags): Promise<StartOptions & { port: number }> {
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
  return {
    databaseUrl,
    config,
    issuer,
    host: flags.host,
    port,
    ...(flags.trustProxy !== undefined ? { trustProxy: parseTrustProxy(flags.trustProxy) } : {}),
    logger,
    // Metrics stay off the public listener: a port of their own, for the scraper's network only.
    metrics: metricsPort === undefined ? false : { port: metricsPort, host: flags.metricsHost ?? '127.0.0.1' },
    ...(flags.tlsCert && flags.tlsKey ? { tls: { certFile: flags.tlsCert, keyFile: flags.tlsKey } } : {}),
    options: { allowInsecureIssuer: flags.allowInsecureIssuer ?? false },
  };
}

/** Starts the server `gatehouse serve` runs for these flags. */
export async function serveGatehouse(flags: ServeFlags): Promise<RunningGatehouse> {
  const options = await serveStartOptions(flags);
  return startGatehouse(options).catch((error: unknown) => {
    throw new CliError(listenError(error, options.port).message);
  });
}
