/**
 * `gatehouse serve`: production. State in GATEHOUSE_DATABASE_URL (any
 * number of processes may share a PostgreSQL database), config applied at
 * start, TLS directly or behind a proxy. What it starts is composed in
 * server/serve-gatehouse.ts, which the benchmarks share.
 */
import type { Command } from 'commander';
import { serveGatehouse, type ServeFlags } from '../server/serve-gatehouse.ts';
import { runUntilSignal } from '../cli/lifecycle.ts';
import { loadConfigFile } from '../config/load.ts';
import { startServeGateway } from '../gateway/serve-upstreams.ts';

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
    .option(
      '--trust-proxy [proxies]',
      'honour X-Forwarded-For/-Proto from reverse proxies in front: alone, the nearest hop; or a hop count; or comma-separated addresses/CIDRs (loopback, uniquelocal…). Default: server.trust_proxy in the config, else none',
    )
    .option('--allow-insecure-issuer', 'accept an http issuer on a non-loopback host (test rigs only)')
    .option('--log-level <level>', 'pino level: fatal, error, warn, info, debug', 'info')
    .option('--metrics-port <port>', 'serve Prometheus /metrics on this port of its own (default: GATEHOUSE_METRICS_PORT; none when unset)')
    .option('--metrics-host <address>', 'address of the metrics listener', '127.0.0.1')
    .action(async (flags: ServeFlags) => {
      const gatehouse = await serveGatehouse(flags);
      // issue 14: `upstreams:` in the config → the MCP gateway beside the authorization server.
      const gateway = await startServeGateway(flags.config, await loadConfigFile(flags.config, { allowLiteralSecrets: true }), gatehouse).catch(async (error: unknown) => {
        await gatehouse.close();
        throw error;
      });
      await runUntilSignal(
        () => {
          gatehouse.context.log('info', 'gatehouse listening', { url: gatehouse.url, issuer: gatehouse.issuer, changes: gatehouse.changes.length });
          process.stdout.write(`Gatehouse listening on ${gatehouse.url} (issuer ${gatehouse.issuer})${gatehouse.metricsUrl ? `, metrics on ${gatehouse.metricsUrl}` : ''}\n`);
          if (gateway) process.stdout.write(`Gatehouse gateway listening on ${gateway.url}\n`);
        },
        async () => {
          await gateway?.close();
          await gatehouse.close();
        },
      );
    });
}
