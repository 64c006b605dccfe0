import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { kyselyOf } from '@gatehouse-auth/store';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { generateAuditSigner } from '../src/checkpoint.ts';
import { pruneExpired } from '../src/retention.ts';
import { verifyChain } from '../src/verify.ts';
import { ENGINES, engineAvailable } from './helpers.ts';

const DAY_US = 86_400_000_000;
const START_US = Date.UTC(2026, 0, 1) * 1000;

for (const engine of ENGINES) {
  const available = await engineAvailable(engine, `audit append-only storage (${engine})`);
  describe.skipIf(!available)(`Append-only audit storage on ${engine}`, () => {
    let t: TestStore;
    let nowUs = START_US;
    const signer = generateAuditSigner();
    let log: AuditLog;
    beforeEach(async () => {
      t = await createTestStore(engine);
      nowUs = START_US;
      log = new AuditLog({ store: t.store.audit, signer, now: () => nowUs, checkpointEvery: { records: 1000, ms: 0 } });
    });
    afterEach(async () => {
      await log.close();
      await t.cleanup();
    });

    const seed = async (days: number) => {
      for (let day = 0; day < days; day++) {
        nowUs = START_US + day * DAY_US;
        await log.append({ type: 'tool.call', result: 'success', orgId: 'org_a', tool: 'x', params: { day } });
        await log.append({ type: 'tool.call', result: 'success', orgId: 'org_b', tool: 'x', params: { day } });
      }
    };

    it('the database refuses UPDATE of an audit record', async () => {
      await seed(1);
      const { db } = kyselyOf(t.store);
      await expect(sql`UPDATE audit_records SET result = 'failure' WHERE chain = 'org_a'`.execute(db)).rejects.toThrow(/append-only/);
      const [row] = await t.store.audit.scan('org_a', 0, 1);
      expect(row?.result).toBe('success');
    });

    it('the database refuses DELETE of an audit record outside the prune path', async () => {
      await seed(1);
      const { db } = kyselyOf(t.store);
      await expect(sql`DELETE FROM audit_records WHERE chain = 'org_a'`.execute(db)).rejects.toThrow(/append-only/);
      expect(await t.store.audit.scan('org_a', 0, 10)).toHaveLength(1);
    });

    it('the database refuses UPDATE and DELETE of a signed checkpoint', async () => {
      await seed(1);
      await log.checkpoint('org_a');
      const { db } = kyselyOf(t.store);
      await expect(sql`UPDATE audit_checkpoints SET hash = 'x'`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`DELETE FROM audit_checkpoints`.execute(db)).rejects.toThrow(/append-only/);
      expect(await t.store.audit.checkpoints('org_a')).toHaveLength(1);
    });

    if (engine === 'postgres')
      it('PostgreSQL refuses TRUNCATE of the audit table', async () => {
        await seed(1);
        const { db } = kyselyOf(t.store);
        await expect(sql`TRUNCATE audit_records`.execute(db)).rejects.toThrow(/append-only/);
      });

    if (engine === 'postgres')
      it('setting the prune flag outside a transaction does not leak to later statements', async () => {
        await seed(1);
        const { db } = kyselyOf(t.store);
        // set_config(..., true) is transaction-local: in autocommit it ends with its own statement.
        await sql`SELECT set_config('gatehouse.audit_prune', 'on', true)`.execute(db);
        await expect(sql`DELETE FROM audit_records`.execute(db)).rejects.toThrow(/append-only/);
      });

    it("retention prunes only records older than the org's retention, records the prune, and the chain still verifies", async () => {
      await seed(10);
      nowUs = START_US + 10 * DAY_US;
      const pruned = await pruneExpired(
        log,
        [
          { id: 'org_a', auditRetentionDays: 3 },
          { id: 'org_b', auditRetentionDays: null },
        ],
        nowUs / 1000,
      );
      expect(pruned).toEqual([{ chain: 'org_a', deleted: 7 }]);

      const remaining = await t.store.audit.scan('org_a', 0, 100);
      expect(remaining.map((r) => r.seq)).toEqual([8, 9, 10, 11]);
      expect(remaining.at(-1)).toMatchObject({ type: 'audit.pruned', orgId: 'org_a', details: '{"before":"2026-01-08T00:00:00.000000Z","throughSeq":7}' });
      expect(await t.store.audit.scan('org_b', 0, 100)).toHaveLength(10);

      const result = await verifyChain(t.store.audit, 'org_a', { publicKeys: [signer.publicKey] });
      expect(result).toMatchObject({ ok: true, firstSeq: 8, lastSeq: 11 });
      expect((await t.store.audit.checkpoints('org_a')).map((c) => [c.seq, c.reason])).toEqual([[7, 'prune']]);
    });

    it("a retention shorter than every record's age prunes them all and the chain continues from the cut", async () => {
      await seed(3);
      nowUs = START_US + 30 * DAY_US;
      await pruneExpired(log, [{ id: 'org_a', auditRetentionDays: 1 }], nowUs / 1000);
      expect((await t.store.audit.scan('org_a', 0, 100)).map((r) => [r.seq, r.type])).toEqual([[4, 'audit.pruned']]);
      await log.append({ type: 'tool.call', result: 'success', orgId: 'org_a', tool: 'x' });
      const result = await verifyChain(t.store.audit, 'org_a', { publicKeys: [signer.publicKey] });
      expect(result).toMatchObject({ ok: true, firstSeq: 4, lastSeq: 5 });
    });

    it('after a prune, deleting the first kept record is still detected', async () => {
      await seed(10);
      nowUs = START_US + 10 * DAY_US;
      await pruneExpired(log, [{ id: 'org_a', auditRetentionDays: 3 }], nowUs / 1000);
      const { db } = kyselyOf(t.store);
      if (engine === 'postgres') await sql`ALTER TABLE audit_records DISABLE TRIGGER USER`.execute(db);
      else await sql`DROP TRIGGER audit_records_no_delete`.execute(db);
      await sql`DELETE FROM audit_records WHERE chain = 'org_a' AND seq = 8`.execute(db);
      const result = await verifyChain(t.store.audit, 'org_a', { publicKeys: [signer.publicKey] });
      expect(result.failure).toMatchObject({ seq: 9, reason: 'missing_predecessor' });
    });

    it('pruning without a signing key is refused (the cut could not be verified)', async () => {
      const unsigned = new AuditLog({ store: t.store.audit });
      await unsigned.append({ type: 'x', result: 'success', orgId: 'org_a', time: '2020-01-01T00:00:00Z' });
      await expect(unsigned.prune('org_a', '2026-01-01T00:00:00Z')).rejects.toThrow(/signing key/);
      expect(await t.store.audit.scan('org_a', 0, 10)).toHaveLength(1);
    });
  });
}
