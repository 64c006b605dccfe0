/**
 * Verification of one chain. Detects, and names the first bad record of:
 * an edited record (hash_mismatch at it), a deleted one (missing_predecessor
 * at the next), an inserted or reordered one (hash_mismatch or
 * missing_predecessor / out_of_order: seq and chain are inside the hashed
 * form), a chain recomputed after an edit (checkpoint_mismatch at the first
 * signed checkpoint past the edit) and a truncated tail (truncated, against
 * the latest signed checkpoint). A chain whose head was pruned starts from
 * the signed checkpoint written at the cut.
 *
 * What the chain alone cannot show: records after the latest checkpoint
 * can be deleted, or rewritten with recomputed hashes, without a trace.
 * `anchoredThrough` says how far checkpoints vouch, so a caller can say so
 * rather than report an unanchored tail as verified (issue 10, finding 12).
 */
import type { KeyObject } from 'node:crypto';
import type { AuditCheckpointRow, AuditStore } from '@gatehouse-auth/store';
import { canonicalRecord, chainHash, GENESIS_HASH } from './chain.ts';
import { checkpointSignatureValid } from './checkpoint.ts';

export type VerifyFailureReason = 'hash_mismatch' | 'missing_predecessor' | 'out_of_order' | 'checkpoint_mismatch' | 'checkpoint_signature_invalid' | 'truncated';

export interface VerifyFailure {
  seq: number;
  reason: VerifyFailureReason;
  detail: string;
}

export interface VerifyResult {
  chain: string;
  ok: boolean;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  checkpoints: number;
  /** False when no public keys were given: checkpoints were trusted unsigned. */
  signaturesChecked: boolean;
  /** The last seq a checkpoint matched (0: none). Records after it are not protected against truncation or recomputed rewrites. */
  anchoredThrough: number;
  /** True when a checkpoint matched the last record (false for a chain with no records and no checkpoint). */
  tailAnchored: boolean;
  failure?: VerifyFailure;
}

/** What verification reads: the database's AuditStore, or an export (verify-export.ts). */
export type ChainSource = Pick<AuditStore, 'checkpoints' | 'scan' | 'scanCanonical'>;

export interface VerifyOptions {
  /** Public keys of the checkpoint signers; without them signatures are not checked. */
  publicKeys?: KeyObject[];
  /** Checkpoints kept off the box, checked in addition to the stored ones. */
  externalCheckpoints?: AuditCheckpointRow[];
  pageSize?: number;
}

export async function verifyChain(store: ChainSource, chain: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const stored = await store.checkpoints(chain);
  const all = [...stored, ...(options.externalCheckpoints ?? []).filter((c) => c.chain === chain)];
  const result: VerifyResult = {
    chain,
    ok: true,
    records: 0,
    firstSeq: null,
    lastSeq: null,
    checkpoints: all.length,
    signaturesChecked: options.publicKeys !== undefined,
    anchoredThrough: 0,
    tailAnchored: false,
  };
  const fail = (failure: VerifyFailure): VerifyResult => ({ ...result, ok: false, failure });

  const bySeq = new Map<number, AuditCheckpointRow[]>();
  for (const checkpoint of [...all].sort((a, b) => a.seq - b.seq)) {
    if (options.publicKeys !== undefined && !checkpointSignatureValid(checkpoint, options.publicKeys)) {
      return fail({ seq: checkpoint.seq, reason: 'checkpoint_signature_invalid', detail: `checkpoint at seq ${checkpoint.seq} (kid ${checkpoint.kid}) is not signed by a trusted key` });
    }
    bySeq.set(checkpoint.seq, [...(bySeq.get(checkpoint.seq) ?? []), checkpoint]);
  }
  const latestCheckpoint = all.reduce((max, c) => Math.max(max, c.seq), 0);

  const pageSize = options.pageSize ?? 10_000;
  let previousHash: string | undefined;
  let previousSeq = 0;
  for (;;) {
    // The database builds each canonical form (fast path); a record that does not match is
    // recomputed from its full row here, so only the JavaScript definition decides.
    const links = await store.scanCanonical(chain, previousSeq, pageSize);
    for (const link of links) {
      if (previousHash === undefined) {
        // First record present: either seq 1, or the first after a signed prune cut.
        if (link.seq === 1) previousHash = GENESIS_HASH;
        else {
          const cut = bySeq.get(link.seq - 1)?.[0];
          if (cut === undefined) {
            return fail({ seq: link.seq, reason: 'missing_predecessor', detail: `records before seq ${link.seq} are missing and no signed checkpoint marks a prune at seq ${link.seq - 1}` });
          }
          previousHash = cut.hash;
        }
        result.firstSeq = link.seq;
      } else if (link.seq !== previousSeq + 1) {
        return link.seq > previousSeq + 1
          ? fail({
              seq: link.seq,
              reason: 'missing_predecessor',
              detail: `record${link.seq - previousSeq > 2 ? 's' : ''} ${previousSeq + 1}${link.seq - previousSeq > 2 ? `..${link.seq - 1}` : ''} missing before seq ${link.seq}`,
            })
          : fail({ seq: link.seq, reason: 'out_of_order', detail: `seq ${link.seq} follows seq ${previousSeq}` });
      }
      if (chainHash(previousHash, link.canonical) !== link.hash && !(await matchesFromRow(store, chain, link.seq, previousHash, link.hash))) {
        return fail({ seq: link.seq, reason: 'hash_mismatch', detail: `record ${link.seq} does not match its hash (edited, moved, or its predecessor changed)` });
      }
      const signed = bySeq.get(link.seq);
      if (signed !== undefined && signed.some((c) => c.hash !== link.hash)) {
        return fail({ seq: link.seq, reason: 'checkpoint_mismatch', detail: `the chain up to seq ${link.seq} differs from its signed checkpoint (rewritten at or before this record)` });
      }
      if (signed !== undefined) result.anchoredThrough = link.seq;
      previousHash = link.hash;
      previousSeq = link.seq;
      result.records++;
    }
    if (links.length < pageSize) break;
  }
  result.lastSeq = result.firstSeq === null ? null : previousSeq;
  result.tailAnchored = result.lastSeq !== null && result.anchoredThrough === result.lastSeq;
  if (latestCheckpoint > previousSeq) {
    return fail({ seq: previousSeq + 1, reason: 'truncated', detail: `a signed checkpoint covers seq ${latestCheckpoint} but the chain ends at seq ${previousSeq}` });
  }
  return result;
}

/** The authoritative check: canonical form computed in JavaScript from the full stored row. */
async function matchesFromRow(store: ChainSource, chain: string, seq: number, previousHash: string, storedHash: string): Promise<boolean> {
  const [row] = await store.scan(chain, seq - 1, 1);
  return row !== undefined && row.seq === seq && chainHash(previousHash, canonicalRecord(row)) === storedHash;
}
