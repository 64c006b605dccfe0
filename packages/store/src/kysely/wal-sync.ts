/**
 * Makes a SQLite file's committed WAL frames durable without blocking the
 * event loop: fdatasync of the `-wal` file on libuv's thread pool. A
 * commit made with synchronous=NORMAL has written its frames (write(2))
 * but not synced them; after this resolves they survive power loss,
 * exactly as synchronous=FULL would have made them, but the sync ran off
 * the thread that serves requests. (SQLite's WAL frames carry cumulative
 * checksums, so a synced frame is only ever read back with every frame
 * before it; and a checkpoint that later moves them into the database
 * syncs the database first.) A sync covers the file, whichever connection
 * or thread wrote the frames: the token writer thread's commits and the
 * audit log's share it.
 *
 * fdatasync, not fsync: it writes the file's data and the metadata needed
 * to read it back (its size), and skips only timestamps. That is what
 * PostgreSQL syncs its WAL with on Linux (wal_sync_method = fdatasync) and
 * what SQLite's own synchronous=FULL calls; on ext4 it spares a journal
 * commit whenever the WAL is rewritten in place (after a checkpoint).
 *
 * Tickets: `mark()` after a commit returned names every frame written so
 * far; `sync(ticket)` resolves once a sync that STARTED after the ticket
 * was taken has completed (so it covers those frames). `sync()` takes its
 * ticket itself. A ticket that a completed sync already covers resolves at
 * once; one the running sync covers joins it; otherwise the caller waits
 * for the single next sync, which starts when the running one ends. So a
 * token batch marked at its commit and the audit record committed after it
 * are made durable by one sync, and never more than one runs at a time.
 * A failed sync rejects everyone waiting on it with StoreUnavailableError.
 *
 * A failed fdatasync is final for this process ("fsyncgate", PostgreSQL's
 * lesson of 2018): Linux reports a write-back error once, and may already
 * have dropped the frames it could not write and marked their pages clean,
 * so a later fdatasync succeeds without them. The WAL's checksums are
 * cumulative: on recovery SQLite stops at the first frame that is not
 * what was written, so every frame after the lost ones, synced or not, is
 * discarded too. Had a later sync acknowledged tokens, a crash would lose
 * them. So after one failure every later sync fails, `failure()` says so
 * (the store's ping fails, and /readyz with it), and only a restart,
 * which lets SQLite recover the WAL to its last good frame, clears it.
 * Failing to open the file is not such a failure: no sync ran, nothing was
 * dropped, and the next call tries again.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { StoreUnavailableError } from '@gatehouse-auth/core';

export interface WalSync {
  /** A ticket for every frame written so far: take it after the commit returned. */
  mark(): number;
  /** Resolves once a sync that started after `ticket` (default: one taken now) has completed. */
  sync(ticket?: number): Promise<void>;
  /** The failed fdatasync after which this WAL is never trusted again in this process; undefined while none failed. */
  failure(): StoreUnavailableError | undefined;
  close(): Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

/** `onLost`: called once, when an fdatasync fails and the WAL stops being trusted (for the server's log). */
export function walSync(databaseFile: string, onLost: (error: StoreUnavailableError) => void = () => {}): WalSync {
  let handle: Promise<FileHandle> | undefined;
  let lost: StoreUnavailableError | undefined;
  /** The last ticket handed out. */
  let marks = 0;
  /** Every ticket up to this one is durable. */
  let durableThrough = 0;
  let running: { covers: number; done: Promise<void> } | undefined;
  let next: Promise<void> | undefined;

  const datasync = async (): Promise<void> => {
    if (lost) throw lost;
    // Opened once, after the first commit created the file; the store keeps the WAL for as long as it is open.
    handle ??= open(`${databaseFile}-wal`, 'r+');
    let file: FileHandle;
    try {
      file = await handle;
    } catch (error) {
      handle = undefined;
      // The commit's durability is unknown: what a lost database connection is to PostgreSQL. Callers answer 503,
      // and the audit log's publisher hears it (cli/server/events.ts) instead of only a log line.
      throw new StoreUnavailableError(error);
    }
    try {
      await file.datasync();
    } catch (error) {
      // One sync runs at a time and none starts once this is set: reached once.
      lost = new StoreUnavailableError(error);
      onLost(lost);
      throw lost;
    }
  };
  const start = (): Promise<void> => {
    // Every ticket handed out so far was taken after its frames were written: this sync covers them all.
    const covers = marks;
    const done: Promise<void> = datasync().then(
      () => {
        durableThrough = Math.max(durableThrough, covers);
        if (running?.done === done) running = undefined;
      },
      (error: unknown) => {
        if (running?.done === done) running = undefined;
        throw error;
      },
    );
    running = { covers, done };
    return done;
  };

  return {
    mark: () => ++marks,
    failure: () => lost,
    sync(ticket = ++marks) {
      if (ticket <= durableThrough) return DONE;
      if (lost) return Promise.reject(lost);
      if (running === undefined) return start();
      if (running.covers >= ticket) return running.done;
      next ??= running.done
        .catch(() => {})
        .then(() => {
          next = undefined;
          return start();
        });
      return next;
    },
    async close() {
      await next?.catch(() => {});
      await running?.done.catch(() => {});
      const open = handle;
      handle = undefined;
      await (await open?.catch(() => undefined))?.close();
    },
  };
}
