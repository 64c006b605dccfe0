/**
 * Issue 10, finding 12, as an operator meets it: `gatehouse dev` wrote no
 * signed checkpoints, and `gatehouse audit verify` then exited 0 after the
 * last 50 records were deleted or the chain was rewritten with recomputed
 * hashes. Now dev signs checkpoints like serve; with them both attacks exit
 * 1, and a chain whose tail nothing anchors exits 3 and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { AuditLog, canonicalRecord, chainHash, loadAuditSigner, SYSTEM_CHAIN } from '@gatehouse-auth/audit';
import { createStore, kyselyOf } from '@gatehouse-auth/store';
import { freePort, runCli, startCli, type CliResult } from './run.ts';

const NO_KEY = { GATEHOUSE_AUDIT_KEY_FILE: undefined, GATEHOUSE_AUDIT_PUBLIC_KEY_FILE: undefined };
const verify = (cwd: string, args: string[] = []) => runCli(['audit', 'verify', ...args], { cwd, env: NO_KEY });
const rowsOf = (result: CliResult) =>
  JSON.parse(result.stdout) as { chain: string; ok: boolean; checkpoints: number; signaturesChecked: boolean; tailAnchored: boolean; unanchored: string | null; failure?: { reason: string } }[];

/** Direct SQL as someone who can write the database file (the append-only triggers dropped first). */
async function asAttacker(url: string, tamper: (db: ReturnType<typeof kyselyOf>['db'], store: Awaited<ReturnType<typeof createStore>>) => Promise<void>): Promise<void> {
  const store = await createStore(url);
  const { db } = kyselyOf(store);
  for (const trigger of ['audit_records_no_update', 'audit_records_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) {
    await sql.raw(`DROP TRIGGER IF EXISTS ${trigger}`).execute(db);
  }
  try {
    await tamper(db, store);
  } finally {
    await store.close();
  }
}

const deleteLast50 = (url: string, chain: string) =>
  asAttacker(url, async (db) => {
    await sql`DELETE FROM audit_records WHERE chain = ${chain} AND seq > (SELECT MAX(seq) - 50 FROM audit_records WHERE chain = ${chain})`.execute(db);
  });

/** Edits record 2 and recomputes every later hash, as an attacker covering the edit would. */
const rewriteWithRecomputedHashes = (url: string, chain: string) =>
  asAttacker(url, async (db, store) => {
    await sql`UPDATE audit_records SET user_id = 'usr_innocent' WHERE chain = ${chain} AND seq = 2`.execute(db);
    let previous = '';
    for (const row of await store.audit.scan(chain, 0, 1_000_000)) {
      const hash = chainHash(previous, canonicalRecord(row));
      await sql`UPDATE audit_records SET hash = ${hash} WHERE chain = ${chain} AND seq = ${row.seq}`.execute(db);
      previous = hash;
    }
  });

const append60 = async (url: string, signerPem?: string) => {
  const store = await createStore(url);
  const log = new AuditLog({ store: store.audit, ...(signerPem ? { signer: loadAuditSigner(signerPem) } : {}), checkpointEvery: { ms: 0 } });
  for (let i = 0; i < 60; i++) await log.append({ type: 'authz.decision', result: 'success', orgId: 'org_acme', userId: 'usr_1', tool: 'update_ticket', params: { i } });
  await log.close();
  await store.close();
};

// Each case spawns the CLI (tsx start-up): generous limits for a loaded machine.
describe('Issue 10: audit verify cannot be passed by truncating or recomputing a chain', { timeout: 180_000 }, () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'gatehouse-anchoring-'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  describe('gatehouse dev signs checkpoints like serve', () => {
    let devDir: string;
    beforeAll(async () => {
      devDir = join(base, 'dev');
      await cp(join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'internal-company', 'gatehouse.yaml'), join(base, 'gatehouse.yaml'));
      await mkdir(devDir);
      const dev = await startCli(['dev', '--port', String(await freePort()), '--no-mcp', '--config', join(base, 'gatehouse.yaml')], 'Press Ctrl-C to stop.', { cwd: devDir, env: NO_KEY });
      expect(dev.stdout()).toContain('audit key    .gatehouse/audit-signing-key.pem');
      expect(await dev.stop(), dev.stderr()).toBe(0); // closing signs every chain's tail
      // More traffic later, signed with the key dev made (as a running dev or serve signs it).
      await append60(`sqlite:${join(devDir, '.gatehouse', 'gatehouse.sqlite')}`, await readFile(join(devDir, '.gatehouse', 'audit-signing-key.pem'), 'utf8'));
      for (const attack of ['truncated', 'rewritten']) await cp(devDir, join(base, attack), { recursive: true });
    }, 180_000);

    it('every chain it wrote is anchored by a checkpoint signed with the dev key, found beside the dev database', async () => {
      const result = await verify(devDir, ['--json']);
      expect(result.code, result.stderr).toBe(0);
      const rows = rowsOf(result);
      expect(rows.map((r) => r.chain)).toContain(SYSTEM_CHAIN);
      for (const row of rows) expect(row).toMatchObject({ ok: true, signaturesChecked: true, tailAnchored: true, unanchored: null });
      expect(rows.every((r) => r.checkpoints > 0)).toBe(true);
    });

    it('deleting the last 50 records is detected (exit 1, truncated)', async () => {
      const dir = join(base, 'truncated');
      await deleteLast50(`sqlite:${join(dir, '.gatehouse', 'gatehouse.sqlite')}`, 'org_acme');
      const result = await verify(dir, ['--json']);
      expect(result.code).toBe(1);
      expect(rowsOf(result).find((r) => r.chain === 'org_acme')?.failure?.reason).toBe('truncated');
    });

    it('a chain rewritten with recomputed hashes is detected (exit 1, checkpoint_mismatch)', async () => {
      const dir = join(base, 'rewritten');
      await rewriteWithRecomputedHashes(`sqlite:${join(dir, '.gatehouse', 'gatehouse.sqlite')}`, SYSTEM_CHAIN);
      const result = await verify(dir, ['--json']);
      expect(result.code).toBe(1);
      expect(rowsOf(result).find((r) => r.chain === SYSTEM_CHAIN)?.failure?.reason).toBe('checkpoint_mismatch');
    });
  });

  describe('a chain no checkpoint anchors (written without a signing key)', () => {
    let url: string;
    beforeAll(async () => {
      url = `sqlite:${join(base, 'unsigned.sqlite')}`;
      await append60(url);
    });

    it('exits 3 and says plainly that truncation and recomputed rewrites could not be checked, even after both', async () => {
      const before = await verify(base, ['--database-url', url]);
      expect(before.code).toBe(3);
      expect(before.stderr).toContain('NOT VERIFIED: org_acme: no checkpoint covers any of its records');
      expect(before.stderr).toContain('truncation) or rewriting them with recomputed hashes could NOT be checked');
      await deleteLast50(url, 'org_acme');
      await rewriteWithRecomputedHashes(url, 'org_acme');
      const after = await verify(base, ['--database-url', url]);
      expect(after.code).toBe(3);
      expect(after.stdout).toMatch(/org_acme\s+yes\s+10\s+1\.\.10\s+0\s+NO/);
    });

    it('--allow-unanchored accepts it explicitly: exit 0, with the warning still printed', async () => {
      const result = await verify(base, ['--database-url', url, '--allow-unanchored']);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('warning: org_acme: no checkpoint covers any of its records');
    });
  });
});
