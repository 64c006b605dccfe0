/**
 * Verifies an exported JSON Lines file (export.ts) away from the database:
 * an org admin can check their own export with the public key alone. Each
 * record line is turned back into its stored form (JSON-valued fields
 * re-canonicalized, which reproduces the stored bytes of an honest record)
 * and the same verifyChain runs over it.
 */
import type { KeyObject } from 'node:crypto';
import type { AuditCheckpointRow, AuditRow } from '@gatehouse-auth/store';
import { canonicalJson, canonicalOrNull } from './canonical.ts';
import { canonicalRecord } from './chain.ts';
import type { AuditRecord } from './record.ts';
import { verifyChain, type ChainSource, type VerifyResult } from './verify.ts';

export class ExportFormatError extends Error {
  override name = 'ExportFormatError';
}

const rowFromRecord = (r: AuditRecord): AuditRow => ({
  chain: r.chain,
  seq: r.seq,
  time: r.time,
  type: r.type,
  orgId: r.orgId,
  userId: r.userId,
  agentId: r.agentId,
  clientId: r.clientId,
  clientName: r.clientName,
  sessionId: r.sessionId,
  tool: r.tool,
  params: canonicalOrNull(r.params),
  result: r.result,
  error: r.error,
  scopes: canonicalJson(r.scopes ?? []),
  ip: r.ip,
  userAgent: r.userAgent,
  actor: canonicalOrNull(r.actor),
  details: canonicalOrNull(r.details),
  hash: r.hash,
});

/** An in-memory ChainSource over parsed export lines (in file order: a reordered file is a reordered chain). */
function exportSource(rows: AuditRow[], checkpoints: AuditCheckpointRow[]): ChainSource {
  const after = (chain: string, afterSeq: number, limit: number) => {
    const own = rows.filter((r) => r.chain === chain);
    const start = own.findIndex((r) => r.seq > afterSeq);
    return start < 0 ? [] : own.slice(start, start + limit);
  };
  return {
    checkpoints: async (chain) => checkpoints.filter((c) => c.chain === chain),
    scan: async (chain, afterSeq, limit) => after(chain, afterSeq, limit),
    scanCanonical: async (chain, afterSeq, limit) => after(chain, afterSeq, limit).map((row) => ({ seq: row.seq, hash: row.hash, canonical: canonicalRecord(row) })),
  };
}

export async function verifyExport(text: string, options: { publicKeys?: KeyObject[] } = {}): Promise<VerifyResult[]> {
  const rows: AuditRow[] = [];
  const checkpoints: AuditCheckpointRow[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new ExportFormatError(`line ${i + 1}: not JSON`);
    }
    if (parsed !== null && typeof parsed === 'object' && 'checkpoint' in parsed) checkpoints.push((parsed as { checkpoint: AuditCheckpointRow }).checkpoint);
    else if (parsed !== null && typeof parsed === 'object' && 'chain' in parsed && 'seq' in parsed && 'hash' in parsed) rows.push(rowFromRecord(parsed as AuditRecord));
    else throw new ExportFormatError(`line ${i + 1}: neither a record nor a checkpoint`);
  });
  const chains = [...new Set([...rows.map((r) => r.chain), ...checkpoints.map((c) => c.chain)])].sort();
  const source = exportSource(rows, checkpoints);
  return Promise.all(chains.map((chain) => verifyChain(source, chain, { publicKeys: options.publicKeys })));
}
