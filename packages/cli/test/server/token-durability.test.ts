/**
 * Issue 12: how a token response waits for the disk on the server
 * `gatehouse serve` runs (a SQLite file, token writes on the writer thread
 * under synchronous=NORMAL, the audit log on). A response is sent only
 * after a WAL sync that covers both its tokens and its audit record; that
 * is ONE sync, the audit record's (the tokens were committed before it);
 * and a sync that fails fails every response waiting on it with 503
 * temporarily_unavailable, after which the next request is served.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenWriterReady } from '@gatehouse-auth/store';
import { serveStartOptions } from '../../src/server/serve-gatehouse.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { benchServeFlags, writeBenchConfig } from '../../../../bench/lib/as-gatehouse-config.ts';
import { AGENT, RESOURCE, SCOPE } from '../../../../bench/lib/as-shared.ts';

let dir: string;
let gatehouse: RunningGatehouse;
let datasync: ReturnType<typeof gateDatasync>;

/** Holds every WAL sync until the test lets them through (or fails them); from then on each one settles so at once. */
function gateDatasync(proto: FileHandle) {
  const original = proto.datasync;
  const held: { release: () => void; fail: (error: Error) => void }[] = [];
  let open: ((gate: (typeof held)[number]) => void) | undefined;
  const spy = vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
    await new Promise<void>((release, fail) => (open ? open({ release, fail }) : held.push({ release, fail })));
    return original.call(this);
  });
  const letThrough = (settle: (gate: (typeof held)[number]) => void) => {
    open = settle;
    for (const gate of held.splice(0)) settle(gate);
  };
  return { spy, held, release: () => letThrough((gate) => gate.release()), fail: (error: Error) => letThrough((gate) => gate.fail(error)) };
}

/** Waits (on the event loop, without a deadline of its own) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const issue = () =>
  fetch(`${gatehouse.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${AGENT.id}:${AGENT.secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }).toString(),
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-token-durability-'));
  // Exactly what `gatehouse serve` starts for the bench's flags, with a silent logger.
  const options = await serveStartOptions(benchServeFlags(writeBenchConfig(dir), `sqlite:${join(dir, 'g.db')}`));
  gatehouse = await startGatehouse({ ...options, logger: createLogger({ level: 'silent' }) });
  expect(await tokenWriterReady(gatehouse.store)).toBe(true);
  expect((await issue()).status).toBe(200); // the WAL exists and the paths are warm
  await gatehouse.audit!.flush();
  const probe = await open(join(dir, 'probe'), 'w');
  await probe.close();
  datasync = gateDatasync(Object.getPrototypeOf(probe) as FileHandle);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await gatehouse.close();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 12: a token response and the WAL sync it waits for', () => {
  it('is not sent before the sync that covers its tokens and audit record, and that is one sync, not one for each', async () => {
    let answered = false;
    const response = issue().then((r) => {
      answered = true;
      return r;
    });
    await until(() => datasync.held.length > 0);
    // Committed (the token is readable, its record is written), but not durable: nothing is sent.
    expect(answered).toBe(false);
    datasync.release();
    const ok = await response;
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { access_token: string };
    expect(body.access_token).toEqual(expect.any(String));
    // The audit record's sync covered the tokens committed before it: no second sync for them.
    expect(datasync.spy).toHaveBeenCalledTimes(1);
  });

  it('fails every response waiting on a sync that failed with 503 temporarily_unavailable, and every later one until a restart (fsyncgate: storage.md)', async () => {
    const responses = Promise.all(Array.from({ length: 4 }, () => issue()));
    await until(() => datasync.held.length > 0);
    // Whatever syncs the burst needs fail, as a disk that reports EIO does.
    datasync.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    for (const response of await responses) {
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
    }
    datasync.spy.mockRestore();
    // The disk answers again, but frames written before the failure may be gone: nothing more is acknowledged.
    expect((await issue()).status).toBe(503);
  });
});
