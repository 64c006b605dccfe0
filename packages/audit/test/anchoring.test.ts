/**
 * Issue 10, finding 12: what verification can and cannot vouch for. With a
 * signed checkpoint on the tail, deleting the last 50 records or rewriting
 * the chain with recomputed hashes is detected; without one the chain looks
 * intact after either, and the result must say that it is not anchored
 * rather than pass as verified.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { generateAuditSigner } from '../src/checkpoint.ts';
import { verifyChain } from '../src/verify.ts';
import { asAttacker, ENGINES, engineAvailable, recomputeChain } from './helpers.ts';

const ORG = 'org_anchor';
const RECORDS = 120;

for (const engine of ENGINES) {
  const available = await engineAvailable(engine, `audit anchoring (${engine})`);
  describe.skipIf(!available)(`Audit verify: truncation and recomputed rewrites need a checkpoint on the tail (${engine})`, () => {
    let t: TestStore;
    const signer = generateAuditSigner();
    const verify = () => verifyChain(t.store.audit, ORG, { publicKeys: [signer.publicKey] });
    const fill = async (log: AuditLog, from: number, to: number) => {
      for (let i = from; i <= to; i++) await log.append({ type: 'authz.decision', result: 'success', orgId: ORG, userId: 'usr_1', tool: 'update_ticket', params: { n: i } });
    };
    const deleteLast50 = () =>
      asAttacker(t.store, async (db) => {
        await sql`DELETE FROM audit_records WHERE chain = ${ORG} AND seq > ${RECORDS - 50}`.execute(db);
      });
    const rewriteWithRecomputedHashes = () =>
      asAttacker(t.store, async (db) => {
        await sql`UPDATE audit_records SET user_id = 'usr_innocent' WHERE chain = ${ORG} AND seq = 3`.execute(db);
        await recomputeChain(t.store, db, ORG, 3);
      });

    beforeEach(async () => {
      t = await createTestStore(engine);
    });
    afterEach(() => t.cleanup());

    describe('with a signed checkpoint on the tail (what serve and dev write)', () => {
      beforeEach(async () => {
        const log = new AuditLog({ store: t.store.audit, signer, checkpointEvery: { records: 1000, ms: 0 } });
        await fill(log, 1, RECORDS);
        await log.close(); // signs the tail
      });

      it('an intact chain is anchored through its last record', async () => {
        expect(await verify()).toMatchObject({ ok: true, records: RECORDS, anchoredThrough: RECORDS, tailAnchored: true });
      });

      it('deleting the last 50 records is detected as truncation', async () => {
        await deleteLast50();
        expect((await verify()).failure).toMatchObject({ seq: RECORDS - 49, reason: 'truncated' });
      });

      it('a chain rewritten with recomputed hashes is detected at the checkpoint', async () => {
        await rewriteWithRecomputedHashes();
        expect((await verify()).failure).toMatchObject({ seq: RECORDS, reason: 'checkpoint_mismatch' });
      });
    });

    describe('without a checkpoint (what dev wrote before issue 10)', () => {
      beforeEach(async () => {
        const log = new AuditLog({ store: t.store.audit });
        await fill(log, 1, RECORDS);
        await log.close();
      });

      it('reports the chain as not anchored, before and after either attack', async () => {
        expect(await verify()).toMatchObject({ ok: true, anchoredThrough: 0, tailAnchored: false });
        await deleteLast50();
        expect(await verify()).toMatchObject({ ok: true, records: RECORDS - 50, anchoredThrough: 0, tailAnchored: false });
        await rewriteWithRecomputedHashes();
        expect(await verify()).toMatchObject({ ok: true, anchoredThrough: 0, tailAnchored: false });
      });
    });

    it('records written after the latest checkpoint are an unanchored tail', async () => {
      const log = new AuditLog({ store: t.store.audit, signer, checkpointEvery: { records: 100, ms: 0 } });
      await fill(log, 1, RECORDS); // checkpoint at 100 only; close() is not called yet
      expect(await verify()).toMatchObject({ ok: true, anchoredThrough: 100, tailAnchored: false, lastSeq: RECORDS });
      await log.close();
      expect(await verify()).toMatchObject({ ok: true, anchoredThrough: RECORDS, tailAnchored: true });
    });

    it("a prune's notice record is signed with the closing checkpoint, so a pruned chain stays anchored", async () => {
      const log = new AuditLog({ store: t.store.audit, signer, checkpointEvery: { records: 1000, ms: 0 } });
      await fill(log, 1, 10);
      await log.checkpoint(ORG);
      await log.prune(ORG, '2999-01-01T00:00:00.000000Z');
      await log.close();
      expect(await verify()).toMatchObject({ ok: true, records: 1, tailAnchored: true });
    });
  });
}
