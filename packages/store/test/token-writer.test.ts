/**
 * Group-committed token writes (insert, rotateRefresh) on the SQLite file
 * engine, through the writer thread and inline on the main connection:
 * what concurrent callers see is the same either way, and the same as
 * one transaction per call.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '@gatehouse-auth/core';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuplicateError, createStore, tokenWriterReady, type CreateStoreOptions, type Store } from '@gatehouse-auth/store';
import { aGrant, aLiveGrant, aToken, successorPair, T0 } from './conformance/fixtures.ts';

const modes: { name: string; tokenWriter: CreateStoreOptions['tokenWriter']; threaded: boolean }[] = [
  { name: 'writer thread', tokenWriter: 'thread', threaded: true },
  { name: 'inline', tokenWriter: 'inline', threaded: false },
];

for (const mode of modes) {
  describe(`token writes, ${mode.name} (SQLite file)`, () => {
    let dir: string;
    let store: Store;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gatehouse-writer-'));
      store = await createStore(`sqlite:${join(dir, 'g.db')}`, { tokenWriter: mode.tokenWriter });
      expect(await tokenWriterReady(store)).toBe(mode.threaded);
    });
    afterAll(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('stores every token of a burst of 200 concurrent inserts before any insert resolves, readable at once on the main connection', async () => {
      const grant = aGrant();
      await store.grants.create(grant);
      const tokens = Array.from({ length: 200 }, () => aToken(grant, { kind: 'access' }));
      const visible = await Promise.all(
        tokens.map(async (token) => {
          await store.tokens.insert([token]);
          return store.tokens.get(token.hash);
        }),
      );
      expect(visible).toEqual(tokens);
    });

    it('rejects a duplicate token with DuplicateError and still stores its neighbours in the same burst', async () => {
      const grant = aGrant();
      await store.grants.create(grant);
      const existing = aToken(grant);
      await store.tokens.insert([existing]);
      const fresh = [aToken(grant), aToken(grant)];
      const results = await Promise.allSettled([store.tokens.insert([fresh[0]!]), store.tokens.insert([existing]), store.tokens.insert([fresh[1]!])]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateError);
      for (const token of fresh) expect(await store.tokens.get(token.hash)).toEqual(token);
    });

    it('RFC 9700 §4.14.2: 50 concurrent rotations of one refresh token (no grace) give exactly one rotated, one reuse_detected, and a revoked grant', async () => {
      const grant = await aLiveGrant(store);
      await store.grants.create(grant);
      const refresh = aToken(grant);
      await store.tokens.insert([refresh]);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.tokens.rotateRefresh(refresh.hash, successorPair(grant, refresh, T0 + 1 + i), T0 + 1, 0)));
      const count = (status: string) => results.filter((r) => r.status === status).length;
      expect([count('rotated'), count('reuse_detected'), count('invalid')]).toEqual([1, 1, 48]);
      expect((await store.grants.get(grant.id))?.revokedAt).toBe(T0 + 1);
    });

    it('rotations of different tokens in one burst each rotate, and their successors are stored', async () => {
      const grant = await aLiveGrant(store);
      await store.grants.create(grant);
      const chains = Array.from({ length: 40 }, () => aToken(grant));
      await store.tokens.insert(chains);
      const successors = chains.map((token) => successorPair(grant, token, T0 + 5));
      const results = await Promise.all(chains.map((token, i) => store.tokens.rotateRefresh(token.hash, successors[i]!, T0 + 5, 0)));
      expect(results.every((r) => r.status === 'rotated')).toBe(true);
      for (const pair of successors) for (const token of pair) expect(await store.tokens.get(token.hash)).toEqual(token);
    });
  });
}

describe('token writer thread lifecycle', () => {
  it('closes a store whose writer thread is still starting without waiting for it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-writer-'));
    const store = await createStore(`sqlite:${join(dir, 'g.db')}`);
    const ready = tokenWriterReady(store);
    await store.close();
    expect(await ready).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it('issue 10: a writer thread that dies with a batch in flight fails that batch with StoreUnavailableError (503), and later batches run inline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-writer-'));
    const store = await createStore(`sqlite:${join(dir, 'g.db')}`);
    try {
      expect(await tokenWriterReady(store)).toBe(true);
      const grant = aGrant();
      await store.grants.create(grant);
      // The batch never arrives: the thread ends as a crash would end it.
      const post = vi.spyOn(Worker.prototype, 'postMessage').mockImplementationOnce(function (this: Worker) {
        void this.terminate();
      });
      const lost = aToken(grant);
      const error = await store.tokens.insert([lost]).catch((e: unknown) => e);
      post.mockRestore();
      expect(StoreUnavailableError.is(error)).toBe(true);
      const kept = aToken(grant);
      await store.tokens.insert([kept]);
      expect(await store.tokens.get(kept.hash)).toEqual(kept);
      expect(await store.tokens.get(lost.hash)).toBeUndefined();
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('acknowledges a token written on the writer thread (committed under synchronous=NORMAL) only after a WAL fsync that began after its commit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-writer-'));
    const store = await createStore(`sqlite:${join(dir, 'g.db')}`);
    try {
      expect(await tokenWriterReady(store)).toBe(true);
      const grant = aGrant();
      await store.grants.create(grant);
      const probe = await open(join(dir, 'probe'), 'w');
      await probe.close();
      const proto = Object.getPrototypeOf(probe) as FileHandle;
      const original = proto.datasync;
      const gates: (() => void)[] = [];
      const sync = vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
        await new Promise<void>((resolve) => gates.push(resolve));
        return original.call(this);
      });
      try {
        const token = aToken(grant);
        let acknowledged = false;
        const insert = store.tokens.insert([token]).then(() => (acknowledged = true));
        const committed = await store.tokens.insertCommitted([aToken(grant)]);
        // Committed: readable at once on the main connection, but not yet acknowledged.
        expect(await store.tokens.get(token.hash)).toEqual(token);
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(acknowledged).toBe(false);
        expect(sync).toHaveBeenCalled();
        while (gates.length > 0) gates.shift()!();
        await new Promise((resolve) => setTimeout(resolve, 30));
        while (gates.length > 0) gates.shift()!();
        await insert;
        await committed.whenDurable();
        expect(acknowledged).toBe(true);
      } finally {
        sync.mockRestore();
      }
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps token writes on the main connection for sqlite::memory: (a thread cannot share it)', async () => {
    const store = await createStore('sqlite::memory:');
    expect(await tokenWriterReady(store)).toBe(false);
    const token = aToken(aGrant(), { grantId: null });
    await store.tokens.insert([token]);
    expect(await store.tokens.get(token.hash)).toEqual(token);
    await store.close();
  });
});
