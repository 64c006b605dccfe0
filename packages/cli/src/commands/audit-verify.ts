/**
 * `gatehouse audit verify`. Exit codes: 0 every chain intact and anchored
 * to the end by a signature-checked checkpoint; 1 a chain failed (the first
 * bad record is named); 3 (UNANCHORED_EXIT) intact as far as the chain
 * shows, but its tail is covered by no checked checkpoint, so deleting the
 * last records or rewriting them with recomputed hashes could not be
 * detected. `--allow-unanchored` accepts that and exits 0, still saying it.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExportFormatError, verifyChain, verifyExport, type VerifyResult } from '@gatehouse-auth/audit';
import type { AuditCheckpointRow } from '@gatehouse-auth/store';
import { printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { chainsOf, collect, DB, KEY, publicKeysOf, withAuditStore, type ChainFlags } from './audit-support.ts';

type Flags = DatabaseOptions & OutputOptions & ChainFlags & { key?: string; publicKey?: string[]; checkpoints?: string; file?: string; allowUnanchored?: boolean };

/** Intact as far as it could be checked, but not anchored to its end by a checked checkpoint. */
export const UNANCHORED_EXIT = 3;

function readCheckpoints(file: string): AuditCheckpointRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = JSON.parse(line) as { checkpoint?: AuditCheckpointRow };
      if (parsed.checkpoint === undefined) throw new CliError(`${file}:${i + 1}: not a checkpoint line`);
      return parsed.checkpoint;
    })
    .filter((c): c is AuditCheckpointRow => c !== undefined);
}

export function registerAuditVerify(audit: Command): void {
  audit
    .command('verify')
    .description('recompute every chain (or one) and check it against the signed checkpoints')
    .option('--org <slug>', "only this organization's chain")
    .option('--system', 'only the _system chain')
    .option('--public-key <file>', 'trusted checkpoint public key, SPKI PEM (repeatable; default GATEHOUSE_AUDIT_PUBLIC_KEY_FILE)', collect)
    .option('--checkpoints <file>', 'checkpoints kept off the box (JSON Lines from "audit checkpoint --export" or "audit export")')
    .option('--file <export.jsonl>', 'verify an exported file ("audit export") instead of the database')
    .option(
      '--allow-unanchored',
      `exit 0 (not ${UNANCHORED_EXIT}) when a chain's tail is covered by no signature-checked checkpoint, i.e. truncation and recomputed rewrites of it could not be checked`,
    )
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

/**
 * Why an intact chain's tail is not protected against truncation and recomputed rewrites, or
 * undefined when a checkpoint whose signature was checked covers its last record.
 */
export function unanchoredBecause(r: VerifyResult): string | undefined {
  if (!r.ok) return undefined;
  if (r.anchoredThrough === 0) return r.records === 0 ? 'it has no records and no checkpoint' : 'no checkpoint covers any of its records';
  if (!r.tailAnchored) return `records ${r.anchoredThrough + 1}..${r.lastSeq} were written after its latest checkpoint (seq ${r.anchoredThrough})`;
  if (!r.signaturesChecked) return "its checkpoints' signatures were not checked (no public key), so they may have been rewritten with the chain";
  return undefined;
}

/** Prints one row per chain; exit code 1 when any chain failed, else 3 when one is not anchored (unless allowed). */
function report(flags: Flags, results: VerifyResult[]): void {
  const rows = results.map((r) => ({ ...r, unanchored: unanchoredBecause(r) ?? null }));
  printRows(flags, rows, [
    ['chain', (r) => r.chain],
    ['ok', (r) => (r.ok ? 'yes' : 'NO')],
    ['records', (r) => r.records],
    ['seqs', (r) => (r.firstSeq === null ? '-' : `${r.firstSeq}..${r.lastSeq}`)],
    ['checkpoints', (r) => r.checkpoints],
    ['anchored', (r) => (!r.ok ? '-' : r.unanchored === null ? 'yes' : 'NO')],
    ['first bad record', (r) => (r.failure ? `seq ${r.failure.seq}: ${r.failure.reason} (${r.failure.detail})` : '-')],
  ]);
  const unanchored = rows.filter((r) => r.unanchored !== null);
  for (const r of unanchored) {
    process.stderr.write(
      `${flags.allowUnanchored ? 'warning' : 'NOT VERIFIED'}: ${r.chain}: ${r.unanchored}. Deleting its last records (truncation) or rewriting them with recomputed hashes could NOT be checked.\n`,
    );
  }
  if (unanchored.length > 0 && !flags.allowUnanchored) {
    process.stderr.write(
      'Sign the current heads with "gatehouse audit checkpoint" (and keep an exported copy off the box: --checkpoints), give the public key (--public-key), or accept this with --allow-unanchored.\n',
    );
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
  else if (unanchored.length > 0 && !flags.allowUnanchored) process.exitCode = UNANCHORED_EXIT;
}
