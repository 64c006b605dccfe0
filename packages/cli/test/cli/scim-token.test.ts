/**
 * `gatehouse scim token create|rotate --org <slug>` (issue 13, item 3): the
 * token is printed once and stored only as its SHA-256; create refuses an
 * org that has one; rotate makes the old token stop working at once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@gatehouse-auth/core';
import { orgOfScimToken } from '@gatehouse-auth/scim';
import { openStore } from '../../src/cli/database.ts';
import { EXAMPLE_CONFIG, runCli } from './run.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-scim-token-'));
  env = { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'gatehouse.sqlite')}` };
  expect((await runCli(['apply', '-f', EXAMPLE_CONFIG], { env })).code).toBe(0);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('gatehouse scim token', () => {
  it('creates once, stores only the hash, refuses a second create, and rotation kills the old token', async () => {
    const created = await runCli(['scim', 'token', 'create', '--org', 'acme', '--json'], { env });
    expect(created.code).toBe(0);
    const { token, org } = JSON.parse(created.stdout) as { token: string; org: string };
    expect(org).toBe('acme');
    expect(token).toMatch(/^ghscim_[A-Za-z0-9_-]{43}$/);

    const again = await runCli(['scim', 'token', 'create', '--org', 'acme'], { env });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('gatehouse scim token rotate --org acme');

    const rotated = await runCli(['scim', 'token', 'rotate', '--org', 'acme'], { env });
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim().split('\n').at(-1)!;
    expect(fresh).toMatch(/^ghscim_/);
    expect(fresh).not.toBe(token);

    const store = await openStore(env.GATEHOUSE_DATABASE_URL!, { mustExist: true });
    try {
      const acme = (await store.orgs.getBySlug('acme'))!;
      expect(await orgOfScimToken(store, token)).toBeUndefined();
      expect(await orgOfScimToken(store, fresh)).toBe(acme.id);
      expect(await store.scim.orgOfToken(sha256(fresh))).toBe(acme.id);
    } finally {
      await store.close();
    }

    const unknown = await runCli(['scim', 'token', 'rotate', '--org', 'nope'], { env });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no organization "nope"');
  });
});
