/**
 * The WAL fsync that makes NORMAL commits durable (audit batches, the token
 * writer thread's batches): a caller is answered by an fsync that began
 * after its call, never by one already under way (that one may have missed
 * its frames), and callers that arrive together share one.
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
  const original = proto.sync;
  const spy = vi.spyOn(proto, 'sync').mockImplementation(async function (this: FileHandle) {
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

  it('starts an fsync at once when none is running', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    await writeFile(join(dir, 'g.db-wal'), 'frames');
    const wal = walSync(join(dir, 'g.db'));
    await wal.sync();
    await wal.sync();
    await wal.close();
  });

  it('rejects every waiting caller when the fsync fails, and the next call tries again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walsync-'));
    const wal = walSync(join(dir, 'missing.db'));
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(join(dir, 'missing.db-wal'), 'frames');
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
  });
});
