/**
 * The token endpoint's two writes as plain data, so they can be batched
 * and carried to another thread: issuing tokens (`insert`) and rotating a
 * refresh token (`rotateRefresh`). `applyTokenWrites` is the one place that
 * turns a batch of them into SQL, on whichever thread holds the connection.
 */
import type { TokenRecord } from '@gatehouse-auth/core';
import type { Store } from '../types.ts';

export type TokenWrite = { op: 'insert'; tokens: TokenRecord[] } | { op: 'rotateRefresh'; oldHash: string; issue: TokenRecord[]; now: number; graceMs: number };

/** Each write's own outcome: one failing write must not fail its neighbours. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs a batch in ONE transaction (one commit, one fsync): first every
 * insert as one multi-row INSERT (fresh tokens, so their order does not
 * matter), then the rotations one after another, never interleaved, so each
 * keeps the semantics it has alone (two rotations of the same token in one
 * batch: the second sees the first's). If the batch fails it rolled back
 * whole, and each write is retried in its own transaction.
 */
export async function applyTokenWrites(store: Store, writes: readonly TokenWrite[]): Promise<Settled[]> {
  const inserted = writes.flatMap((write) => (write.op === 'insert' ? write.tokens : []));
  try {
    const values = await store.transaction(async (tx) => {
      if (inserted.length > 0) await tx.tokens.insert(inserted);
      const out: unknown[] = [];
      for (const write of writes) out.push(write.op === 'insert' ? undefined : await applyOne(tx, write));
      return out;
    });
    return values.map((value) => ({ ok: true, value }));
  } catch {
    const settled: Settled[] = [];
    for (const write of writes) {
      settled.push(
        await store
          .transaction((tx) => applyOne(tx, write))
          .then(
            (value): Settled => ({ ok: true, value }),
            (error: unknown): Settled => ({ ok: false, error }),
          ),
      );
    }
    return settled;
  }
}

function applyOne(tx: Store, write: TokenWrite): Promise<unknown> {
  return write.op === 'insert' ? tx.tokens.insert(write.tokens) : tx.tokens.rotateRefresh(write.oldHash, write.issue, write.now, write.graceMs);
}
