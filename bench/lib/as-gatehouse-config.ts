/**
 * The config the benchmark's Gatehouse serves: the example config
 * (examples/internal-company/gatehouse.yaml), as a user starts from, plus a
 * client_credentials agent and a public client for the refresh runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { serveGatehouse, type RunningGatehouse, type ServeFlags } from '@gatehouse-auth/cli';
import { AGENT, PUBLIC_CLIENT, REDIRECT, SCOPE } from './as-shared.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/internal-company/gatehouse.yaml', import.meta.url));

/** Writes gatehouse.yaml into `dir`; returns its path. */
/** `server`: settings merged into the config's `server:` (a bench that runs several resource servers of one client sizes their stream limit). */
export function writeBenchConfig(dir: string, server: Record<string, unknown> = {}): string {
  const config = parse(readFileSync(EXAMPLE, 'utf8')) as { clients: unknown[]; server?: Record<string, unknown> };
  config.server = { ...config.server, ...server };
  config.clients.push(
    {
      client_id: AGENT.id,
      name: 'Bench agent',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      secret: AGENT.secret,
      org: 'acme',
      roles: ['Support'],
      scope: SCOPE,
    },
    {
      client_id: PUBLIC_CLIENT,
      name: 'Bench public client',
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      redirect_uris: [REDIRECT],
    },
  );
  const path = join(dir, 'gatehouse.yaml');
  writeFileSync(path, stringify(config));
  return path;
}

/** The flags `gatehouse serve` gets in the benchmark: the config above, a free port on loopback, the store under test. */
export const benchServeFlags = (configPath: string, databaseUrl: string): ServeFlags => ({
  config: configPath,
  host: '127.0.0.1',
  port: '0',
  databaseUrl,
  logLevel: 'info',
  // The command's default for the metrics listener's address (no --metrics-port: no listener).
  metricsHost: '127.0.0.1',
});

/** The one way the benchmarks obtain a Gatehouse: `gatehouse serve`'s own function (serve-composition.test.ts checks it). */
export const compose = serveGatehouse;

/** Starts Gatehouse exactly as `gatehouse serve --config <configPath> --host 127.0.0.1 --port 0 --database-url <url>` does. */
export const startServedGatehouse = (configPath: string, databaseUrl: string): Promise<RunningGatehouse> => compose(benchServeFlags(configPath, databaseUrl));
