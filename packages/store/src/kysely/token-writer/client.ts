/**
 * The main thread's side of the token writer thread (thread.ts). Batches
 * go to the thread once it has opened its connection; until then, and if
 * it ever fails, they run on the main connection (`inline`), so a store is
 * usable at once and a broken thread costs speed, not availability.
 *
 * The thread commits under synchronous=NORMAL (frames written, not synced);
 * each batch's `whenDurable()` is then a sync of the WAL made here (`wal`,
 * coalesced with the audit log's) that started after the thread reported
 * the commit, so it covers the batch's frames: the ticket is taken when the
 * report arrives, the sync requested only when a caller waits.
 */
import { Worker } from 'node:worker_threads';
import { DuplicateError } from '../../types.ts';
import { classifyStoreError, StoreUnavailableError } from '../../unavailable.ts';
import type { BatchExecutor, BatchOutcome } from '../group-commit.ts';
import type { Settled, TokenWrite } from '../token-writes.ts';
import type { ErrorShape, FromWriter, ToWriter, WriterData } from './protocol.ts';
import type { WalSync } from '../wal-sync.ts';

export interface TokenWriter {
  execute: BatchExecutor;
  /** Resolves true once batches go to the thread, false if it failed to start (they stay inline). */
  ready: Promise<boolean>;
  /** Finishes the batch in flight, closes the thread's connection and ends it. */
  stop(): Promise<void>;
}

interface InFlight {
  resolve: (settled: Settled[]) => void;
  reject: (error: Error) => void;
}

/**
 * Built (dist/), the thread is plain JavaScript. From source (tsx, vitest) a worker thread does not
 * inherit the parent's TypeScript loader, so entry.mjs loads thread.ts through tsx's scoped loader.
 */
const THREAD = new URL(import.meta.url.endsWith('.ts') ? './entry.mjs' : './thread.js', import.meta.url);

export function startTokenWriter(filename: string, inline: BatchExecutor, wal: Pick<WalSync, 'mark' | 'sync'>): TokenWriter {
  const worker = new Worker(THREAD, { workerData: { filename } satisfies WriterData });
  // Idle, the thread must not keep the process alive; with a batch in flight it must (see `send`).
  worker.unref();
  let state: 'starting' | 'ready' | 'failed' = 'starting';
  let nextId = 1;
  const inFlight = new Map<number, InFlight>();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let settleReady: (ready: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => (settleReady = resolve));

  const fail = (reason: string): void => {
    state = 'failed';
    settleReady(false);
    // The batch's outcome is unknown and the caller may retry: the same answer as a lost database connection (503).
    const error = new StoreUnavailableError(new Error(`token writer thread stopped: ${reason}`));
    for (const pending of inFlight.values()) pending.reject(error);
    inFlight.clear();
    void worker.terminate();
  };
  worker.on('message', (message: FromWriter) => {
    if (message.type === 'ready') {
      state = 'ready';
      settleReady(true);
    } else if (message.type === 'failed') {
      fail(message.message);
    } else {
      const pending = inFlight.get(message.id);
      inFlight.delete(message.id);
      if (inFlight.size === 0) worker.unref();
      pending?.resolve(message.settled.map(fromWire));
    }
  });
  worker.on('error', (error) => fail(error.message));
  worker.once('exit', () => {
    if (state !== 'failed') fail('exited');
  });

  const send = (writes: TokenWrite[]): Promise<Settled[]> =>
    new Promise<Settled[]>((resolve, reject) => {
      const id = nextId++;
      inFlight.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ type: 'batch', id, writes } satisfies ToWriter);
    });

  return {
    execute: (writes) =>
      state === 'ready'
        ? send(writes).then((settled): BatchOutcome => {
            const ticket = wal.mark();
            return { settled, whenDurable: () => wal.sync(ticket) };
          })
        : inline(writes),
    ready,
    async stop() {
      if (state === 'failed') return;
      // Still loading: no batch was ever sent to it, so there is nothing to finish.
      if (state === 'starting') {
        settleReady(false);
        await worker.terminate();
        return;
      }
      worker.ref();
      worker.postMessage({ type: 'stop' } satisfies ToWriter);
      await exited;
    },
  };
}

function fromWire(settled: Settled): Settled {
  if (settled.ok) return settled;
  const shape = settled.error as ErrorShape;
  const error = shape.name === 'DuplicateError' ? new DuplicateError('token') : new Error(shape.message);
  error.message = shape.message;
  if (shape.code !== undefined) Object.assign(error, { code: shape.code });
  if (shape.name !== 'DuplicateError') error.name = shape.name;
  return { ok: false, error: classifyStoreError(error) };
}
