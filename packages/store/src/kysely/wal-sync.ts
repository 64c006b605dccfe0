/**
 * Makes a SQLite file's committed WAL frames durable without blocking the
 * event loop: fsync of the `-wal` file on libuv's thread pool. A commit
 * made with synchronous=NORMAL has written its frames (write(2)) but not
 * synced them; after this resolves they survive power loss, exactly as
 * synchronous=FULL would have made them, but the fsync ran off the thread
 * that serves requests. (SQLite's WAL frames carry cumulative checksums,
 * so a synced frame is only ever read back with every frame before it;
 * and a checkpoint that later moves them into the database syncs the
 * database first.) An fsync covers the file, whichever connection or
 * thread wrote the frames: the token writer thread's commits and the audit
 * log's share it.
 *
 * Calls are coalesced: `sync()` promises an fsync that STARTS after the
 * call (so it covers every frame written before it). With none running it
 * starts at once; while one runs, every caller waits for the single next
 * one. So a token commit and the audit record written right after it are
 * made durable by one fsync, and there is never more than one in flight.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

export function walSync(databaseFile: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  const fsync = async (): Promise<void> => {
    // Opened once, after the first commit created the file; the store keeps the WAL for as long as it is open.
    handle ??= open(`${databaseFile}-wal`, 'r+');
    try {
      await (await handle).sync();
    } catch (error) {
      handle = undefined;
      throw error;
    }
  };
  const start = (): Promise<void> => {
    const run = fsync().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };

  return {
    sync() {
      if (running === undefined) return start();
      next ??= running
        .catch(() => {})
        .then(() => {
          next = undefined;
          return start();
        });
      return next;
    },
    async close() {
      await next?.catch(() => {});
      await running?.catch(() => {});
      const open = handle;
      handle = undefined;
      await (await open?.catch(() => undefined))?.close();
    },
  };
}
