/**
 * Group commit for the token endpoint's writes. Store operations that
 * arrive together (a burst of token requests) run one after another inside
 * ONE store transaction instead of one transaction each: the first
 * operation of a burst waits for the current turn of the event loop to end
 * (setImmediate), everything queued by then runs in that transaction, and
 * each caller's promise settles only after the commit, so nothing is
 * handed out before it is durable. While a batch runs, the next one fills
 * up (SQLite has a single writer anyway).
 *
 * Operations run sequentially, never interleaved, so each keeps the
 * semantics it has alone (two rotations of the same refresh token in one
 * batch: the second sees the first's rotation). If the batch fails, it
 * rolled back whole and each operation is retried in its own transaction,
 * so one failing operation cannot fail its neighbours.
 */
import type { Store } from '@gatehouse/store';
import type { TokenRecord } from '@gatehouse/core';
import type { ServerContext } from '../context.ts';

type Operation<T> = (tx: Store) => Promise<T>;

interface Pending {
  op: Operation<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface PendingInsert {
  records: TokenRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Queue {
  pending: Pending[];
  /** Plain inserts are merged into one multi-row INSERT per batch. */
  inserts: PendingInsert[];
  scheduled: boolean;
  running: boolean;
}

const MAX_BATCH = 128;
const queues = new WeakMap<ServerContext, Queue>();

function queueFor(ctx: ServerContext): Queue {
  let queue = queues.get(ctx);
  if (!queue) {
    queue = { pending: [], inserts: [], scheduled: false, running: false };
    queues.set(ctx, queue);
  }
  return queue;
}

export function inGroupTransaction<T>(ctx: ServerContext, op: Operation<T>): Promise<T> {
  const queue = queueFor(ctx);
  return new Promise<T>((resolve, reject) => {
    queue.pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
    schedule(ctx, queue);
  });
}

/** Inserts freshly minted tokens; concurrent inserts become one multi-row INSERT in the group's transaction. */
export function persistTokens(ctx: ServerContext, records: TokenRecord[]): Promise<void> {
  const queue = queueFor(ctx);
  return new Promise<void>((resolve, reject) => {
    queue.inserts.push({ records, resolve, reject });
    schedule(ctx, queue);
  });
}

function schedule(ctx: ServerContext, queue: Queue): void {
  if (queue.scheduled || queue.running || (queue.pending.length === 0 && queue.inserts.length === 0)) return;
  queue.scheduled = true;
  setImmediate(() => {
    queue.scheduled = false;
    void run(ctx, queue);
  });
}

async function run(ctx: ServerContext, queue: Queue): Promise<void> {
  queue.running = true;
  const batch = queue.pending.splice(0, MAX_BATCH);
  const inserts = queue.inserts.splice(0, MAX_BATCH);
  try {
    const results = await ctx.store.transaction(async (tx) => {
      if (inserts.length > 0) await tx.tokens.insert(inserts.flatMap((insert) => insert.records));
      const values: unknown[] = [];
      for (const pending of batch) values.push(await pending.op(tx));
      return values;
    });
    for (const insert of inserts) insert.resolve();
    batch.forEach((pending, index) => pending.resolve(results[index]));
  } catch {
    for (const insert of inserts) await ctx.store.tokens.insert(insert.records).then(insert.resolve, insert.reject);
    for (const pending of batch) {
      await ctx.store.transaction((tx) => pending.op(tx)).then(pending.resolve, pending.reject);
    }
  } finally {
    queue.running = false;
    schedule(ctx, queue);
  }
}
