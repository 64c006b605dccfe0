/**
 * Group commit for newly issued tokens. Token requests arriving together
 * share one store transaction instead of paying for one each: the first
 * insert of a burst waits for the current turn of the event loop to end
 * (setImmediate), everything queued by then is written in one
 * `tokens.insert`, and each caller's promise settles only after that
 * commit, so no token is handed out before it is durable. While a batch is
 * being written the next one fills up (SQLite has a single writer anyway).
 * If a batch fails, its members are retried one by one so one bad record
 * cannot fail its neighbours.
 */
import type { TokenRecord } from '@gatehouse/core';
import type { ServerContext } from '../context.ts';

interface Pending {
  records: TokenRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Writer {
  queue: Pending[];
  scheduled: boolean;
  writing: boolean;
}

const MAX_BATCH = 256;
const writers = new WeakMap<ServerContext, Writer>();

function writerFor(ctx: ServerContext): Writer {
  let writer = writers.get(ctx);
  if (!writer) {
    writer = { queue: [], scheduled: false, writing: false };
    writers.set(ctx, writer);
  }
  return writer;
}

export function persistTokens(ctx: ServerContext, records: TokenRecord[]): Promise<void> {
  const writer = writerFor(ctx);
  return new Promise<void>((resolve, reject) => {
    writer.queue.push({ records, resolve, reject });
    schedule(ctx, writer);
  });
}

function schedule(ctx: ServerContext, writer: Writer): void {
  if (writer.scheduled || writer.writing || writer.queue.length === 0) return;
  writer.scheduled = true;
  setImmediate(() => {
    writer.scheduled = false;
    void flush(ctx, writer);
  });
}

async function flush(ctx: ServerContext, writer: Writer): Promise<void> {
  writer.writing = true;
  const batch = writer.queue.splice(0, MAX_BATCH);
  try {
    await ctx.store.tokens.insert(batch.flatMap((pending) => pending.records));
    for (const pending of batch) pending.resolve();
  } catch {
    for (const pending of batch) {
      await ctx.store.tokens.insert(pending.records).then(pending.resolve, pending.reject);
    }
  } finally {
    writer.writing = false;
    schedule(ctx, writer);
  }
}
