/**
 * `gatehouse dev`: the whole demo on one machine. A SQLite database in
 * ./.gatehouse, the example company's config applied, the authorization
 * server on 127.0.0.1:4000 and the example MCP server at the resource URI
 * the config names (127.0.0.1:4001/mcp), with the demo users printed.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { isLoopbackHost } from '@gatehouse-auth/core';
import { loadConfigFile } from '../config/load.ts';
import { formatChange } from '../config/plan.ts';
import type { GatehouseConfig } from '../config/schema.ts';
import { startGatehouse } from '../server/start.ts';
import { createLogger } from '../server/logger.ts';
import { DEV_DATABASE_URL, DEV_DIRECTORY } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { listenError, runUntilSignal } from '../cli/lifecycle.ts';
import { shown } from '../policy/projects.ts';
import { startDemoMcpServer } from './dev-mcp.ts';
import { DEV_AUDIT_KEY_FILE, signerOf, writeAuditKeyPair } from './audit-support.ts';
import type { AuditSigner } from '@gatehouse-auth/audit';

/**
 * Dev traffic is light and a person runs `audit verify` moments after a call: sign each chain's
 * tail within 10 s (serve: 60 s / 10,000 records) so verify finds it anchored.
 */
const DEV_CHECKPOINT_EVERY = { records: 1000, ms: 10_000 };

/**
 * Like serve, dev signs checkpoints: with GATEHOUSE_AUDIT_KEY_FILE when set, else with a key it
 * creates in .gatehouse on first run. Without checkpoints `audit verify` cannot see a truncated
 * chain or one rewritten with recomputed hashes.
 */
function devAuditSigner(): { signer: AuditSigner; file: string } {
  const configured = process.env.GATEHOUSE_AUDIT_KEY_FILE || undefined;
  if (configured !== undefined) return { signer: signerOf({ key: configured }, true), file: configured };
  if (!existsSync(DEV_AUDIT_KEY_FILE)) return { signer: writeAuditKeyPair(DEV_AUDIT_KEY_FILE).signer, file: DEV_AUDIT_KEY_FILE };
  return { signer: signerOf({ key: DEV_AUDIT_KEY_FILE }, true), file: DEV_AUDIT_KEY_FILE };
}

export const EXAMPLE_CONFIG = fileURLToPath(new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url));

interface DevFlags {
  port: string;
  config: string;
  mcp: boolean;
}

function banner(config: GatehouseConfig, issuer: string, mcp: string, changes: number, auditKey: string): string {
  const users = config.users.map((u) => `  ${u.email.padEnd(22)} ${(u.password ?? '(no password)').padEnd(22)} ${u.memberships.map((m) => `${m.roles.join('+')} in ${m.org}`).join(', ')}`);
  return [
    '',
    'Gatehouse is running (development mode: http on loopback, literal dev secrets)',
    `  issuer       ${issuer}`,
    `  metadata     ${issuer}/.well-known/oauth-authorization-server`,
    `  health       ${issuer}/readyz   metrics ${issuer}/metrics`,
    `  mcp server   ${mcp}`,
    `  database     ${DEV_DIRECTORY}/gatehouse.sqlite (config applied: ${changes === 0 ? 'no changes' : `${changes} changes`})`,
    `  audit key    ${auditKey} (signed checkpoints every ${DEV_CHECKPOINT_EVERY.ms / 1000} s; check with: gatehouse audit verify)`,
    '',
    ...(users.length > 0 ? ['Demo users (development passwords, from the config file):', ...users, ''] : []),
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run the example company locally: authorization server, demo MCP server and demo users')
    .option('--port <port>', 'authorization server port', '4000')
    .option('--config <file>', 'config file', EXAMPLE_CONFIG)
    .option('--no-mcp', 'do not start the demo MCP server')
    .action(async (flags: DevFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new CliError(`--port: not a port number: ${flags.port}`);
      const config = await loadConfigFile(flags.config, { allowLiteralSecrets: true });
      await mkdir(DEV_DIRECTORY, { recursive: true });
      const audit = devAuditSigner();
      const issuer = `http://127.0.0.1:${port}`;
      // Logs go to stderr so the banner on stdout stays readable; readable lines in a terminal, JSON when piped.
      const logger = createLogger({ level: 'info', destination: process.stderr, pretty: process.stderr.isTTY === true });
      const gatehouse = await startGatehouse({
        databaseUrl: DEV_DATABASE_URL,
        config,
        host: '127.0.0.1',
        port,
        issuer,
        logger,
        auditSigner: audit.signer,
        auditCheckpointEvery: DEV_CHECKPOINT_EVERY,
        metrics: 'issuer-port',
        // Lets a client on this machine serve its metadata document over http.
        options: { cimd: { allowLoopback: true } },
      }).catch((error: unknown) => {
        throw new CliError(listenError(error, port).message);
      });
      for (const change of gatehouse.changes) logger.info({ change: formatChange(change) }, 'config applied');
      const resource = config.resources.find((r) => isLoopbackHost(new URL(r.uri).hostname));
      const mcp = flags.mcp && resource ? await startDemoMcpServer(config, flags.config, issuer, resource.uri, logger, gatehouse.store, gatehouse.audit, gatehouse.metrics) : undefined;
      const mcpLine = mcp
        ? `${mcp.url}${mcp.policyFiles.length > 0 ? ` (Cedar policies: ${mcp.policyFiles.map(shown).join(', ')})` : ''}`
        : flags.mcp
          ? `not started (${resource ? 'see the log above' : 'the config names no loopback resource'})`
          : 'not started (--no-mcp)';
      await runUntilSignal(
        () => process.stdout.write(banner(config, gatehouse.issuer, mcpLine, gatehouse.changes.length, audit.file)),
        async () => {
          await mcp?.close();
          await gatehouse.close();
        },
      );
    });
}
