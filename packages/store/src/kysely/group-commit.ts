/**
 * Group commit for token writes. Writes that arrive together (a burst of
 * token requests) share one transaction and one commit instead of one
 * each: the first write of a burst waits for the current turn of the event
 * loop to end (setImmediate), and everything queued by then goes in that
 * batch. One batch runs at a time; while it runs the next one fills up
 * (SQLite has a single writer anyway). Each caller's promise settles once
 * the batch committed, with `whenDurable()`, which resolves once the commit
 * survives power loss: on the writer thread a batch commits under
 * synchronous=NORMAL and is synced by the process's coalesced WAL sync
 * (wal-sync.ts), so the next batch commits while that sync runs. Nothing
 * may be handed out before `whenDurable()` resolves.
 *
 * `whenDurable` is a function, asked for when the caller is ready to wait:
 * a token response first commits its audit record, whose WAL sync then
 * covers the token's frames too, so asking afterwards costs no sync of its
 * own. Asked for at commit time (as it was), the token's sync started at
 * once, the audit record's had to wait for the next: two syncs in turn per
 * response (docs/tokens.md, "How an issuance waits for the disk").
 */
import type { Settled, TokenWrite } from './token-writes.ts';

/** A batch's outcome: each write's own, and when the batch's commit is durable. */
export interface BatchOutcome {
  settled: Settled[];
  whenDurable: () => Promise<void>;
}

/** Runs a batch and settles each write; must not reject (a failure is a write's own outcome). */
export type BatchExecutor = (writes: TokenWrite[]) => Promise<BatchOutcome>;

/** A committed write's result, and when it is durable (the sync is requested by the first call). */
export interface CommittedWrite {
  value: unknown;
  whenDurable: () => Promise<void>;
}

export type SubmitTokenWrite = (write: TokenWrite) => Promise<CommittedWrite>;

export const ALREADY_DURABLE: Promise<void> = Promise.resolve();

const MAX_BATCH = 128;

interface Pending {
  write: TokenWrite;
  resolve: (value: CommittedWrite) => void;
  reject: (error: unknown) => void;
}

export function groupCommit(execute: BatchExecutor): SubmitTokenWrite {
  const queue: Pending[] = [];
  let scheduled = false;
  let running = false;

  const schedule = (): void => {
    if (scheduled || running || queue.length === 0) return;
    scheduled = true;
    setImmediate(run);
  };

  const run = async (): Promise<void> => {
    scheduled = false;
    running = true;
    const batch = queue.splice(0, MAX_BATCH);
    try {
      const { settled, whenDurable } = await execute(batch.map((pending) => pending.write));
      batch.forEach((pending, index) => {
        const outcome = settled[index];
        if (outcome?.ok) pending.resolve({ value: outcome.value, whenDurable });
        else pending.reject(outcome ? outcome.error : new Error('token write batch lost a result'));
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      running = false;
      schedule();
    }
  };

  return (write) =>
    new Promise<CommittedWrite>((resolve, reject) => {
      queue.push({ write, resolve, reject });
      schedule();
    });
}
