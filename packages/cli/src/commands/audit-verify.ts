/** `gatehouse audit verify`: exit code 1 when any chain fails, naming the first bad record. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExportFormatError, verifyChain, verifyExport, type VerifyResult } from '@gatehouse-auth/audit';
import type { AuditCheckpointRow } from '@gatehouse-auth/store';
import { printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { chainsOf, collect, DB, KEY, publicKeysOf, withAuditStore, type ChainFlags } from './audit-support.ts';

type Flags = DatabaseOptions & OutputOptions & ChainFlags & { key?: string; publicKey?: string[]; checkpoints?: string; file?: string };

function readCheckpoints(file: string): AuditCheckpointRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return text.split('\n').filter((line) => line.trim() !== '').map((line, i) => {
    const parsed = JSON.parse(line) as { checkpoint?: AuditCheckpointRow };
    if (parsed.checkpoint === undefined) throw new CliError(`${file}:${i + 1}: not a checkpoint line`);
    return parsed.checkpoint;
  }).filter((c): c is AuditCheckpointRow => c !== undefined);
}

export function registerAuditVerify(audit: Command): void {
  audit
    .command('verify')
    .description('recompute every chain (or one) and check it against the signed checkpoints')
    .option('--org <slug>', 'only this organization\'s chain')
    .option('--system', 'only the _system chain')
    .option('--public-key <file>', 'trusted checkpoint public key, SPKI PEM (repeatable; default GATEHOUSE_AUDIT_PUBLIC_KEY_FILE)', collect)
    .option('--checkpoints <file>', 'checkpoints kept off the box (JSON Lines from "audit checkpoint --export" or "audit export")')
    .option('--file <export.jsonl>', 'verify an exported file ("audit export") instead of the database')
    .option(...KEY)
    .option(...DB)
    .option('--json', 'print JSON')
    .action(async (flags: Flags) => {
      if (flags.file !== undefined) return verifyFile(flags, flags.file);
      return withAuditStore(flags, async (store) => {
        const publicKeys = publicKeysOf(flags);
        const externalCheckpoints = flags.checkpoints === undefined ? undefined : readCheckpoints(flags.checkpoints);
        if (publicKeys === undefined) process.stderr.write('warning: no public key given: checkpoint signatures are NOT checked (--public-key)\n');
        const results: VerifyResult[] = [];
        const chains = await chainsOf(store, flags);
        // A chain wiped entirely (records and stored checkpoints) is still known to the off-box copy.
        if (flags.org === undefined && !flags.system) for (const c of externalCheckpoints ?? []) if (!chains.includes(c.chain)) chains.push(c.chain);
        for (const chain of chains.sort()) results.push(await verifyChain(store.audit, chain, { publicKeys, externalCheckpoints }));
        report(flags, results);
      });
    });
}

async function verifyFile(flags: Flags, file: string): Promise<void> {
  const publicKeys = publicKeysOf(flags);
  if (publicKeys === undefined) process.stderr.write('warning: no public key given: checkpoint signatures are NOT checked (--public-key)\n');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    report(flags, await verifyExport(text, { publicKeys }));
  } catch (error) {
    if (error instanceof ExportFormatError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Prints one row per chain; exit code 1 when any chain failed. */
function report(flags: Flags, results: VerifyResult[]): void {
  printRows(flags, results, [
    ['chain', (r) => r.chain], ['ok', (r) => (r.ok ? 'yes' : 'NO')], ['records', (r) => r.records],
    ['seqs', (r) => (r.firstSeq === null ? '-' : `${r.firstSeq}..${r.lastSeq}`)], ['checkpoints', (r) => r.checkpoints],
    ['first bad record', (r) => (r.failure ? `seq ${r.failure.seq}: ${r.failure.reason} (${r.failure.detail})` : '-')],
  ]);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}
