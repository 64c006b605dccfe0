/**
 * A SQLite server whose WAL sync failed once acknowledges nothing more
 * until it restarts ("fsyncgate": after a failed fdatasync Linux may have
 * dropped the unwritten frames and marked them clean, so a later sync
 * succeeds without them, and recovery discards every frame after a lost
 * one). What a client and a load balancer see: 503 temporarily_unavailable
 * on every token request, even once the disk answers again, and /readyz
 * failing on the database.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { opsConfig, tokenRequest } from '../operations/fixture.ts';

let dir: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function fileHandlePrototype(): Promise<FileHandle> {
  const probe = await open(join(dir!, 'probe'), 'w');
  await probe.close();
  return Object.getPrototypeOf(probe) as FileHandle;
}

describe('SQLite durability after a failed WAL sync', () => {
  it('answers 503 to every token request after one failed fdatasync, even once the disk recovers, and /readyz reports the database failing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-walfail-'));
    const gatehouse = await startGatehouse({ config: opsConfig(), databaseUrl: `sqlite:${join(dir, 'gatehouse.db')}`, logger: createLogger({ level: 'silent' }) });
    try {
      expect((await tokenRequest(gatehouse.url)).status).toBe(200);
      expect((await fetch(`${gatehouse.url}/readyz`)).status).toBe(200);

      const proto = await fileHandlePrototype();
      const original = proto.datasync;
      const spy = vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      const failed = await tokenRequest(gatehouse.url);
      expect(failed.status).toBe(503);
      expect(await failed.json()).toMatchObject({ error: 'temporarily_unavailable' });
      expect(spy).toHaveBeenCalledTimes(1);

      spy.mockImplementation(function (this: FileHandle) {
        return original.call(this);
      });
      for (let i = 0; i < 3; i += 1) {
        const again = await tokenRequest(gatehouse.url);
        expect(again.status).toBe(503);
        expect(again.headers.get('retry-after')).not.toBeNull();
      }
      const ready = await fetch(`${gatehouse.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { database: 'failing' } });
    } finally {
      await gatehouse.close();
    }
  });
});
