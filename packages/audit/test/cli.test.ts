import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createStore, kyselyOf } from '@gatehouse-auth/store';
import { AuditLog } from '../src/audit-log.ts';
import { loadAuditSigner } from '../src/checkpoint.ts';

const run = promisify(execFile);
/** The built CLI under plain node (vitest.global-setup.ts builds it), without the workspace's source condition. */
const BIN = join(import.meta.dirname, '..', '..', 'cli', 'dist', 'bin.js');
const NODE_OPTIONS = (process.env.NODE_OPTIONS ?? '')
  .split(' ')
  .filter((o) => !o.startsWith('--conditions=@gatehouse-auth/source'))
  .join(' ');
const DAY_MS = 86_400_000;

async function gatehouse(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'audit', ...args], { env: { ...process.env, NODE_OPTIONS, GATEHOUSE_AUDIT_KEY_FILE: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each case spawns the CLI: generous limits for a loaded machine.
describe('gatehouse audit keygen | checkpoint | verify | query | export | prune', { timeout: 180_000 }, () => {
  let dir: string;
  let url: string;
  let key: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-audit-cli-'));
    url = `sqlite:${join(dir, 'gh.sqlite')}`;
    key = join(dir, 'audit-key.pem');
    expect((await gatehouse(['keygen', '--out', key])).code).toBe(0);
    const store = await createStore(url);
    const now = Date.now();
    await store.orgs.create({ id: 'org_acme', slug: 'acme', name: 'Acme', auditRetentionDays: 30, createdAt: now, updatedAt: now });
    await store.orgs.create({ id: 'org_globex', slug: 'globex', name: 'Globex', auditRetentionDays: null, createdAt: now, updatedAt: now });
    const log = new AuditLog({ store: store.audit, signer: loadAuditSigner(await readFile(key, 'utf8')) });
    for (let i = 0; i < 6; i++) {
      await log.append({
        type: 'tool.call',
        result: i === 5 ? 'denied' : 'success',
        orgId: 'org_acme',
        userId: `usr_${i % 2}`,
        tool: 'tickets.read',
        params: { i },
        time: new Date(now - (40 - i) * DAY_MS).toISOString(),
      });
    }
    await log.append({ type: 'tool.call', result: 'success', orgId: 'org_acme', userId: 'usr_0', tool: 'tickets.read', params: { recent: true } });
    await log.append({ type: 'tool.call', result: 'success', orgId: 'org_globex', userId: 'usr_9', tool: 'finance.pay' });
    await log.close();
    await store.close();
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('query refuses a malformed limit or result with a one-line error and exit code 1', async () => {
    for (const args of [
      ['--limit', 'lots'],
      ['--limit', '5000'],
      ['--result', 'maybe'],
      ['--cursor', '-3'],
    ]) {
      const result = await gatehouse(['query', '--database-url', url, '--org', 'acme', ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('keygen refuses to overwrite an existing key', async () => {
    const result = await gatehouse(['keygen', '--out', key]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refusing to overwrite/);
  });

  it('verify passes on an intact log and checks signatures with the key', async () => {
    const result = await gatehouse(['verify', '--database-url', url, '--key', key, '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { chain: string; ok: boolean; signaturesChecked: boolean }[];
    expect(rows.map((r) => [r.chain, r.ok, r.signaturesChecked])).toEqual([
      ['org_acme', true, true],
      ['org_globex', true, true],
    ]);
  });

  it('query shows one organization only, filtered, and export writes JSON Lines with the checkpoints', async () => {
    const query = await gatehouse(['query', '--database-url', url, '--org', 'acme', '--result', 'denied', '--json']);
    expect(query.code).toBe(0);
    const page = JSON.parse(query.stdout) as { records: { orgId: string; result: string; seq: number }[] };
    expect(page.records.map((r) => [r.orgId, r.result, r.seq])).toEqual([['org_acme', 'denied', 6]]);

    const file = join(dir, 'globex.jsonl');
    expect((await gatehouse(['export', '--database-url', url, '--org', 'globex', '--out', file])).code).toBe(0);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ chain: 'org_globex', seq: 1, tool: 'finance.pay' });
    expect(lines.at(-1)).toHaveProperty('checkpoint.chain', 'org_globex');
    // The org admin verifies the file alone, with the public key.
    const offline = await gatehouse(['verify', '--file', file, '--public-key', `${key}.pub`, '--json']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toEqual([expect.objectContaining({ chain: 'org_globex', ok: true, records: 1, signaturesChecked: true })]);
  });

  it("prune applies the org's 30-day retention, and verify still passes from the signed cut", async () => {
    const pruned = await gatehouse(['prune', '--database-url', url, '--key', key, '--json']);
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout)).toEqual([{ chain: 'org_acme', deleted: 6 }]);
    const verified = await gatehouse(['verify', '--database-url', url, '--org', 'acme', '--key', key, '--json']);
    expect(JSON.parse(verified.stdout)[0]).toMatchObject({ ok: true, firstSeq: 7, lastSeq: 8 });
  });

  it('verify exits 1 and names the first bad record after tampering; an exported checkpoint catches truncation', async () => {
    const offBox = join(dir, 'checkpoints.jsonl');
    expect((await gatehouse(['checkpoint', '--database-url', url, '--key', key, '--export', offBox])).code).toBe(0);
    const store = await createStore(url);
    const { db } = kyselyOf(store);
    await sql`DROP TRIGGER audit_records_no_delete`.execute(db);
    await sql`DROP TRIGGER audit_checkpoints_no_delete`.execute(db);
    await sql`DELETE FROM audit_records WHERE chain = 'org_globex'`.execute(db);
    await sql`DELETE FROM audit_checkpoints WHERE chain = 'org_globex'`.execute(db);
    await sql`DROP TRIGGER audit_records_no_update`.execute(db);
    await sql`UPDATE audit_records SET user_id = 'usr_innocent' WHERE chain = 'org_acme' AND seq = 7`.execute(db);
    await store.close();

    const result = await gatehouse(['verify', '--database-url', url, '--key', key, '--checkpoints', offBox]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/org_acme\s+NO .*seq 7: hash_mismatch/);
    expect(result.stdout).toMatch(/org_globex\s+NO .*seq 1: truncated/);
  });
});
