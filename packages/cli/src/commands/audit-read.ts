/** `gatehouse audit query` (one organization, filtered, paged) and `export` (JSON Lines). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { exportChainJsonl, normalizeTime, orgAuditReader, systemAuditReader, SYSTEM_CHAIN, type AuditResult } from '@gatehouse-auth/audit';
import { printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { chainOf, DB, withAuditStore, type ChainFlags } from './audit-support.ts';

type QueryFlags = DatabaseOptions &
  OutputOptions &
  ChainFlags & {
    user?: string;
    client?: string;
    tool?: string;
    result?: string;
    type?: string;
    since?: string;
    until?: string;
    limit?: string;
    cursor?: string;
    oldestFirst?: boolean;
  };

const time = (value: string | undefined, flag: string): string | undefined => {
  if (value === undefined) return undefined;
  try {
    return normalizeTime(value);
  } catch {
    throw new CliError(`${flag}: not a timestamp: ${value} (use RFC 3339, e.g. 2026-11-23T00:00:00Z)`);
  }
};

export function registerAuditRead(audit: Command): void {
  audit
    .command('query')
    .description('records of one organization (or --system), newest first, filtered')
    .option('--org <slug>', 'the organization')
    .option('--system', 'records that belong to no organization')
    .option('--user <id>', 'user id')
    .option('--client <id>', 'client id')
    .option('--tool <name>', 'tool')
    .option('--result <result>', 'success, failure or denied')
    .option('--type <type>', 'record type, e.g. tool.call')
    .option('--since <time>', 'from (inclusive, RFC 3339)')
    .option('--until <time>', 'to (exclusive, RFC 3339)')
    .option('--limit <n>', 'page size, at most 1000', '50')
    .option('--cursor <seq>', 'next page: the cursor printed by the previous one')
    .option('--oldest-first', 'ascending seq')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: QueryFlags) =>
      withAuditStore(flags, async (store) => {
        if (flags.result !== undefined && !['success', 'failure', 'denied'].includes(flags.result)) throw new CliError('--result must be success, failure or denied');
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be an integer from 1 to 1000');
        const cursor = flags.cursor === undefined ? undefined : Number(flags.cursor);
        if (cursor !== undefined && !(Number.isInteger(cursor) && cursor >= 0)) throw new CliError('--cursor must be the number printed after "more:"');
        const chain = await chainOf(store, flags);
        const reader = chain === SYSTEM_CHAIN ? systemAuditReader(store.audit) : orgAuditReader(store.audit, chain);
        const page = await reader.query({
          userId: flags.user,
          clientId: flags.client,
          tool: flags.tool,
          result: flags.result as AuditResult | undefined,
          type: flags.type,
          from: time(flags.since, '--since'),
          to: time(flags.until, '--until'),
          limit,
          cursor,
          order: flags.oldestFirst ? 'asc' : 'desc',
        });
        printRows(
          flags,
          page.records,
          [
            ['seq', (r) => r.seq],
            ['time', (r) => r.time],
            ['type', (r) => r.type],
            ['result', (r) => r.result],
            ['user', (r) => r.userId ?? r.agentId],
            ['client', (r) => r.clientName ?? r.clientId],
            ['tool', (r) => r.tool],
            ['scopes', (r) => r.scopes],
            ['error', (r) => r.error],
          ],
          page,
        );
        if (!flags.json && page.nextCursor !== null) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
      }),
    );

  audit
    .command('export')
    .description('one chain as JSON Lines (records in seq order, then its signed checkpoints)')
    .option('--org <slug>', 'the organization')
    .option('--system', 'records that belong to no organization')
    .option('--since <time>', 'from (inclusive)')
    .option('--until <time>', 'to (exclusive)')
    .option('--out <file>', 'write here instead of stdout')
    .option(...DB)
    .action((flags: QueryFlags & { out?: string }) =>
      withAuditStore(flags, async (store) => {
        const chain = await chainOf(store, flags);
        const out = flags.out === undefined ? process.stdout : createWriteStream(flags.out);
        for await (const line of exportChainJsonl(store.audit, chain, { from: time(flags.since, '--since'), to: time(flags.until, '--until') })) {
          if (!out.write(line)) await once(out, 'drain');
        }
        if (out !== process.stdout) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      }),
    );
}
