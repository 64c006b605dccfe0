/**
 * The WAL fsync that makes NORMAL commits durable (audit batches, the token
 * writer thread's batches): a caller is answered by an fsync that began
 * after its call, never by one already under way (that one may have missed
 * its frames), and callers that arrive together share one. A ticket taken
 * at a commit is answered by any sync that started after it.
 */
import { mkdtemp, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { walSync } from '../src/kysely/wal-sync.ts';

async function fileHandlePrototype(dir: string): Promise<FileHandle> {
  const probe = await open(join(dir, 'probe'), 'w');
  await probe.close();
  return Object.getPrototypeOf(probe) as FileHandle;
}

/** Holds every fsync until released, recording the order of starts and ends. */
function gatedSyncs(proto: FileHandle) {
  const gates: (() => void)[] = [];
  const original = proto.datasync;
  const spy = vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
    await new Promise<void>((resolve) => gates.push(resolve));
    return original.call(this);
  });
  return { spy, release: (n: number) => gates[n]!() };
}

const settledFlags = (promises: Promise<void>[]) => {
  const flags = promises.map(() => false);
  promises.forEach((p, i) => void p.then(() => (flags[i] = true)));
  return flags;
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

let dir: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('WAL sync (SQLite durability off the event loop)', () => {
  it('answers a call made while an fsync runs only with the next fsync, shared by every caller that arrived meanwhile', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    await writeFile(join(dir, 'g.db-wal'), 'frames');
    const { spy, release } = gatedSyncs(await fileHandlePrototype(dir));
    const wal = walSync(join(dir, 'g.db'));

    const first = wal.sync();
    await tick();
    expect(spy).toHaveBeenCalledTimes(1);
    const later = [wal.sync(), wal.sync(), wal.sync()];
    const done = settledFlags([first, ...later]);
    await tick();
    expect(spy).toHaveBeenCalledTimes(1);

    release(0);
    await first;
    await tick();
    // The first fsync began before the later calls: it must not answer them.
    expect(done).toEqual([true, false, false, false]);
    expect(spy).toHaveBeenCalledTimes(2);

    release(1);
    await Promise.all(later);
    expect(spy).toHaveBeenCalledTimes(2);
    await wal.close();
  });

  it('answers a ticket taken before a sync started with that sync: a token batch and the audit record committed after it share one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    await writeFile(join(dir, 'g.db-wal'), 'frames');
    const { spy, release } = gatedSyncs(await fileHandlePrototype(dir));
    const wal = walSync(join(dir, 'g.db'));

    const tokenBatch = wal.mark(); // the token writer's commit reported; nobody waits yet
    const auditRecord = wal.sync(); // the audit record committed after it, and waited for
    await tick();
    expect(spy).toHaveBeenCalledTimes(1);
    const token = wal.sync(tokenBatch); // the response now waits for its tokens: the running sync covers them
    const done = settledFlags([auditRecord, token]);
    await tick();
    expect(done).toEqual([false, false]);

    release(0);
    await Promise.all([auditRecord, token]);
    // Asked again after that sync completed: durable already, no sync of its own.
    await wal.sync(tokenBatch);
    expect(spy).toHaveBeenCalledTimes(1);
    await wal.close();
  });

  it('never answers a ticket with a sync that started before it was taken', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    await writeFile(join(dir, 'g.db-wal'), 'frames');
    const { spy, release } = gatedSyncs(await fileHandlePrototype(dir));
    const wal = walSync(join(dir, 'g.db'));

    const first = wal.sync();
    await tick();
    const later = wal.mark(); // frames written while the first sync runs
    const waiting = wal.sync(later);
    const done = settledFlags([first, waiting]);
    release(0);
    await first;
    await tick();
    expect(done).toEqual([true, false]);
    expect(spy).toHaveBeenCalledTimes(2);
    release(1);
    await waiting;
    await wal.close();
  });

  it('starts an fsync at once when none is running', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    await writeFile(join(dir, 'g.db-wal'), 'frames');
    const wal = walSync(join(dir, 'g.db'));
    await wal.sync();
    await wal.sync();
    await wal.close();
  });

  it('fsyncgate: after one failed fdatasync every later sync fails, even once the disk answers again, and says why once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    await writeFile(join(dir, 'g.db-wal'), 'frames');
    const proto = await fileHandlePrototype(dir);
    const original = proto.datasync;
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValueOnce(eio);
    const lost: Error[] = [];
    const wal = walSync(join(dir, 'g.db'), (error) => lost.push(error));

    const acknowledgedBefore = wal.mark();
    await expect(wal.sync()).rejects.toMatchObject({ name: 'StoreUnavailableError', cause: { code: 'EIO' } });
    spy.mockImplementation(function (this: FileHandle) {
      return original.call(this);
    });
    // The disk works again, but the frames written before the failure may be gone: nothing after them is acknowledged.
    await expect(wal.sync()).rejects.toMatchObject({ name: 'StoreUnavailableError', cause: { code: 'EIO' } });
    await expect(wal.sync(wal.mark())).rejects.toMatchObject({ name: 'StoreUnavailableError' });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(wal.failure()).toMatchObject({ cause: { code: 'EIO' } });
    expect(lost).toHaveLength(1);
    // A ticket no sync covered is not durable either.
    await expect(wal.sync(acknowledgedBefore)).rejects.toMatchObject({ name: 'StoreUnavailableError' });
    await wal.close();
  });

  it('rejects every waiting caller when the WAL cannot be opened, and the next call tries again (no sync ran, nothing was dropped)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    const wal = walSync(join(dir, 'missing.db'));
    await expect(wal.sync()).rejects.toMatchObject({ name: 'StoreUnavailableError', cause: { code: 'ENOENT' } });
    await writeFile(join(dir, 'missing.db-wal'), 'frames');
    await expect(wal.sync()).resolves.toBeUndefined();
    expect(wal.failure()).toBeUndefined();
    await wal.close();
  });
});
