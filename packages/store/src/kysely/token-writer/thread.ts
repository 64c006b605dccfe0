/**
 * The token writer thread: its own connection to the SQLite file, on which
 * it runs the batches the main thread's group commit sends. SQLite's work
 * for a batch (B-tree inserts into the token indexes, the WAL write and the
 * fsync of synchronous=FULL) happens here, so the event loop serving HTTP
 * never waits for the disk. The SQL is the store's own (applyTokenWrites).
 * Commits here are made under synchronous=NORMAL: the main thread syncs the
 * WAL before anything in the batch is acknowledged (client.ts), with one
 * fsync shared with the audit record written next.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../dialect.ts';
import { buildStore } from '../store.ts';
import { applyTokenWrites } from '../token-writes.ts';
import { toErrorShape, type FromWriter, type ToWriter, type WriterData } from './protocol.ts';

const port = parentPort!;
const { filename } = workerData as WriterData;
const post = (message: FromWriter): void => port.postMessage(message);

try {
  const db = openSqlite(filename, 'blocking', 'normal');
  const store = buildStore(db, 'sqlite', () => db.destroy());
  // One message at a time, in arrival order: a batch never overlaps the next, nor the stop.
  let turn = Promise.resolve();
  port.on('message', (message: ToWriter) => {
    // A batch that throws (it should settle, not throw) ends the thread's service: the main thread
    // fails what is in flight with StoreUnavailableError and goes on inline, instead of waiting forever.
    turn = turn.then(() => handle(message)).catch((error: unknown) => post({ type: 'failed', message: toErrorShape(error).message }));
  });
  const handle = async (message: ToWriter): Promise<void> => {
    if (message.type === 'stop') {
      await store.close();
      port.close();
      return;
    }
    const settled = await applyTokenWrites(store, message.writes);
    post({ type: 'settled', id: message.id, settled: settled.map((s) => (s.ok ? s : { ok: false, error: toErrorShape(s.error) })) });
  };
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: toErrorShape(error).message });
}
