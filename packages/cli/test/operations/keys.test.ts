/**
 * `gatehouse keys rotate` (issue 11, item 3): a new key signs, the previous
 * one stays in /jwks.json for the overlap window, and a running server
 * publishes both at once (it reads the keys from the shared database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { ensureSigningKey } from '@gatehouse-auth/authorization-server';
import { runCli } from '../cli/run.ts';

let dir: string;
let gatehouse: RunningGatehouse;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-keys-'));
  env = { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'gatehouse.sqlite')}` };
  gatehouse = await startGatehouse({ databaseUrl: env.GATEHOUSE_DATABASE_URL });
  await ensureSigningKey(gatehouse.context);
});
afterAll(async () => {
  await gatehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

const kids = async () => ((await (await fetch(`${gatehouse.url}/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);

describe('gatehouse keys rotate', () => {
  it('activates a new key, retires the old one and keeps it published for the longest token lifetime plus a minute', async () => {
    const [old] = await kids();
    const rotated = await runCli(['keys', 'rotate', '--json'], { env });
    expect(rotated.code).toBe(0);
    const result = JSON.parse(rotated.stdout) as { kid: string; retired: string[]; publishedUntil: string };
    expect(result.retired).toEqual([old]);
    expect(result.kid).not.toBe(old);
    const overlapMs = Date.parse(result.publishedUntil) - Date.now();
    expect(overlapMs).toBeGreaterThan(3600_000 + 50_000);
    expect(overlapMs).toBeLessThanOrEqual(3600_000 + 60_000);
    expect((await kids()).sort()).toEqual([old, result.kid].sort());

    const listed = await runCli(['keys', 'list', '--json'], { env });
    const rows = JSON.parse(listed.stdout) as Array<{ kid: string; status: string; publishedUntil: string | null }>;
    expect(rows.find((r) => r.kid === old)).toMatchObject({ status: 'retired', publishedUntil: result.publishedUntil });
    expect(rows.find((r) => r.kid === result.kid)).toMatchObject({ status: 'active', publishedUntil: null });
  }, 60_000);
});
