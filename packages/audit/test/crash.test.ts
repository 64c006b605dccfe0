import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createStore, migrateToLatest } from '@gatehouse-auth/store';
import { TEST_POSTGRES_URL } from '@gatehouse-auth/store/testing';
import { verifyChain } from '../src/verify.ts';
import { SYSTEM_CHAIN } from '../src/record.ts';
import { ENGINES, engineAvailable } from './helpers.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'crash-child.ts');
const ACKS_BEFORE_KILL = 3000;

/** Runs the child until it has acknowledged enough records, then SIGKILLs it; returns the acknowledged (chain, seq) pairs. */
function appendUntilKilled(args: string[]): Promise<Map<string, number[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<string, number[]>();
    let count = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [chain, seq] = line.split(' ');
        acked.set(chain!, [...(acked.get(chain!) ?? []), Number(seq)]);
        count++;
      }
      if (count >= ACKS_BEFORE_KILL && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited on its own (code ${code}): ${stderr}`));
    });
  });
}

for (const engine of ENGINES) {
  const available = await engineAvailable(engine, `audit crash durability (${engine})`);
  describe.skipIf(!available)(`Audit durability across kill -9 on ${engine}`, { timeout: 180_000 }, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    it('every record acknowledged before SIGKILL is present afterwards and every chain verifies', async () => {
      let url: string;
      let schema: string | undefined;
      if (engine === 'sqlite') {
        const dir = await mkdtemp(join(tmpdir(), 'gatehouse-audit-crash-'));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        url = `sqlite:${join(dir, 'audit.db')}`;
      } else {
        url = TEST_POSTGRES_URL;
        schema = `gh_audit_crash_${randomBytes(5).toString('hex')}`;
        cleanups.push(async () => {
          const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        });
      }
      await migrateToLatest(url, schema === undefined ? {} : { schema });

      const acked = await appendUntilKilled(schema === undefined ? [url] : [url, schema]);
      const total = [...acked.values()].reduce((sum, seqs) => sum + seqs.length, 0);
      expect(total).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

      const store = await createStore(url, schema === undefined ? {} : { schema });
      try {
        for (const chain of ['org_crash_a', 'org_crash_b', SYSTEM_CHAIN]) {
          const present = new Set((await store.audit.scan(chain, 0, 1_000_000)).map((r) => r.seq));
          const missing = (acked.get(chain) ?? []).filter((seq) => !present.has(seq));
          expect(missing, `acknowledged records of ${chain} lost`).toEqual([]);
          const result = await verifyChain(store.audit, chain);
          expect(result.ok, JSON.stringify(result.failure)).toBe(true);
          expect(result.records).toBeGreaterThanOrEqual(acked.get(chain)?.length ?? 0);
        }
      } finally {
        await store.close();
      }
    });
  });
}
