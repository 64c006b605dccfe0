/**
 * When a running AuditLog signs checkpoints by itself: per chain, after
 * `records` unsigned records, when the periodic timer finds a chain's
 * oldest unsigned record older than `ms`, and for every chain on close.
 */
import type { AuditRow, AuditStore } from '@gatehouse-auth/store';
import { signCheckpoint, type AuditSigner } from './checkpoint.ts';

export type CheckpointTrigger = 'records' | 'timer' | 'all';

interface Unsigned {
  count: number;
  since: number;
  head: { seq: number; hash: string };
}

export class CheckpointSchedule {
  private readonly unsigned = new Map<string, Unsigned>();

  constructor(
    private readonly store: AuditStore,
    private readonly signer: AuditSigner,
    private readonly every: { records: number; ms: number },
    private readonly now: () => string,
  ) {}

  /** Notes committed rows (in commit order). */
  track(rows: AuditRow[]): void {
    for (const row of rows) {
      const state = this.unsigned.get(row.chain) ?? { count: 0, since: Date.now(), head: row };
      state.count++;
      state.head = { seq: row.seq, hash: row.hash };
      this.unsigned.set(row.chain, state);
    }
  }

  /** A checkpoint of `chain` was written elsewhere (on demand). */
  signed(chain: string): void {
    this.unsigned.delete(chain);
  }

  /** Signs every chain that is due for `trigger`. */
  async sign(trigger: CheckpointTrigger): Promise<void> {
    for (const [chain, state] of [...this.unsigned]) {
      const due = trigger === 'all' || state.count >= this.every.records || (trigger === 'timer' && Date.now() - state.since >= this.every.ms);
      if (!due) continue;
      await this.store.addCheckpoint(signCheckpoint(this.signer, { chain, ...state.head }, this.now(), 'periodic'));
      this.unsigned.delete(chain);
    }
  }
}
