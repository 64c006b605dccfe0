/**
 * Makes a SQLite file's committed WAL frames durable without blocking the
 * event loop: fsync of the `-wal` file on libuv's thread pool. A commit
 * made with synchronous=NORMAL has written its frames (write(2)) but not
 * synced them; after this resolves they survive power loss, exactly as
 * synchronous=FULL would have made them, but the fsync ran off the thread
 * that serves requests. (SQLite's WAL frames carry cumulative checksums,
 * so a synced frame is only ever read back with every frame before it;
 * and a checkpoint that later moves them into the database syncs the
 * database first.)
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

export function walSync(databaseFile: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  return {
    async sync() {
      // Opened once, after the first commit created the file; the store keeps the WAL for as long as it is open.
      handle ??= open(`${databaseFile}-wal`, 'r+');
      try {
        await (await handle).sync();
      } catch (error) {
        handle = undefined;
        throw error;
      }
    },
    async close() {
      const open = handle;
      handle = undefined;
      await (await open?.catch(() => undefined))?.close();
    },
  };
}
