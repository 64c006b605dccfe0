/**
 * Group commit for token writes. Writes that arrive together (a burst of
 * token requests) share one transaction and one commit instead of one
 * each: the first write of a burst waits for the current turn of the event
 * loop to end (setImmediate), and everything queued by then goes in that
 * batch. One batch runs at a time; while it runs the next one fills up
 * (SQLite has a single writer anyway). Each caller's promise settles only
 * after the batch committed, so nothing is handed out before it is durable.
 */
import type { Settled, TokenWrite } from './token-writes.ts';

/** Runs a batch and settles each write; must not reject (a failure is a write's own outcome). */
export type BatchExecutor = (writes: TokenWrite[]) => Promise<Settled[]>;

export type SubmitTokenWrite = (write: TokenWrite) => Promise<unknown>;

const MAX_BATCH = 128;

interface Pending {
  write: TokenWrite;
  resolve: (value: unknown) => void;
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
      const settled = await execute(batch.map((pending) => pending.write));
      batch.forEach((pending, index) => {
        const outcome = settled[index];
        if (outcome?.ok) pending.resolve(outcome.value);
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
    new Promise<unknown>((resolve, reject) => {
      queue.push({ write, resolve, reject });
      schedule();
    });
}
