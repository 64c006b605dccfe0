import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { canonicalRecord, chainHash } from '../src/chain.ts';
import { generateAuditSigner, signCheckpoint } from '../src/checkpoint.ts';
import { verifyChain } from '../src/verify.ts';
import { asAttacker, ENGINES, engineAvailable, insertRow, recomputeChain, setSeq, shiftSeqs } from './helpers.ts';

const ORG = 'org_tamper';

for (const engine of ENGINES) {
  const available = await engineAvailable(engine, `audit tamper evidence (${engine})`);
  describe.skipIf(!available)(`Audit log tamper evidence (security-catalogue) on ${engine}`, () => {
    let t: TestStore;
    const signer = generateAuditSigner();
    const keys = [signer.publicKey];
    const verify = () => verifyChain(t.store.audit, ORG, { publicKeys: keys });

    beforeEach(async () => {
      t = await createTestStore(engine);
      const log = new AuditLog({ store: t.store.audit, signer, checkpointEvery: { records: 5, ms: 0 } });
      for (let i = 1; i <= 10; i++) {
        await log.append({ type: 'tool.call', result: 'success', orgId: ORG, userId: 'usr_1', tool: 'tickets.read', params: { n: i } });
      }
      await log.close(); // signs the tail: checkpoints at seq 5 and 10
    });
    afterEach(() => t.cleanup());

    it('an untouched chain verifies, with both checkpoints checked', async () => {
      const result = await verify();
      expect(result).toMatchObject({ ok: true, records: 10, firstSeq: 1, lastSeq: 10, checkpoints: 2, signaturesChecked: true });
    });

    it('changing one byte of record k fails verification at k', async () => {
      await asAttacker(t.store, async (db) => {
        await sql`UPDATE audit_records SET params = '{"n":8}' WHERE chain = ${ORG} AND seq = 7`.execute(db);
      });
      expect((await verify()).failure).toMatchObject({ seq: 7, reason: 'hash_mismatch' });
    });

    it('changing only the stored hash of record k fails at k', async () => {
      await asAttacker(t.store, async (db) => {
        await sql`UPDATE audit_records SET hash = 'AAAA' || substr(hash, 5) WHERE chain = ${ORG} AND seq = 3`.execute(db);
      });
      expect((await verify()).failure).toMatchObject({ seq: 3, reason: 'hash_mismatch' });
    });

    it('deleting record k fails at k+1', async () => {
      await asAttacker(t.store, async (db) => {
        await sql`DELETE FROM audit_records WHERE chain = ${ORG} AND seq = 4`.execute(db);
      });
      expect((await verify()).failure).toMatchObject({ seq: 5, reason: 'missing_predecessor' });
    });

    it('deleting record k and renumbering the rest fails at k', async () => {
      await asAttacker(t.store, async (db) => {
        await sql`DELETE FROM audit_records WHERE chain = ${ORG} AND seq = 4`.execute(db);
        await shiftSeqs(db, ORG, 5, -1);
      });
      expect((await verify()).failure).toMatchObject({ seq: 4, reason: 'hash_mismatch' });
    });

    it('inserting a well-hashed forged record at k fails at k+1', async () => {
      await asAttacker(t.store, async (db) => {
        const [previous] = await t.store.audit.scan(ORG, 4, 1); // record 5
        await shiftSeqs(db, ORG, 6, +1);
        const forged = { ...previous!, seq: 6, params: '{"n":999}', userId: 'usr_attacker' };
        await insertRow(db, { ...forged, hash: chainHash(previous!.hash, canonicalRecord(forged)) });
      });
      expect((await verify()).failure).toMatchObject({ seq: 7, reason: 'hash_mismatch' });
    });

    it('swapping records k and k+1 fails at k', async () => {
      await asAttacker(t.store, async (db) => {
        await setSeq(db, ORG, 3, 1003);
        await setSeq(db, ORG, 4, 3);
        await setSeq(db, ORG, 1003, 4);
      });
      expect((await verify()).failure).toMatchObject({ seq: 3, reason: 'hash_mismatch' });
    });

    it('truncating the tail is detected against the latest signed checkpoint', async () => {
      await asAttacker(t.store, async (db) => {
        await sql`DELETE FROM audit_records WHERE chain = ${ORG} AND seq >= 8`.execute(db);
      });
      const result = await verify();
      expect(result.failure).toMatchObject({ seq: 8, reason: 'truncated' });
      expect(result.failure?.detail).toContain('seq 10');
    });

    it('an edit covered by recomputing every later hash is caught by the first signed checkpoint after it', async () => {
      await asAttacker(t.store, async (db) => {
        await sql`UPDATE audit_records SET user_id = 'usr_someone_else' WHERE chain = ${ORG} AND seq = 2`.execute(db);
        await recomputeChain(t.store, db, ORG, 2);
      });
      expect((await verify()).failure).toMatchObject({ seq: 5, reason: 'checkpoint_mismatch' });
    });

    it('a rewritten chain with re-signed checkpoints fails: the forger does not hold the key', async () => {
      const forger = generateAuditSigner();
      await asAttacker(t.store, async (db) => {
        await sql`UPDATE audit_records SET user_id = 'usr_someone_else' WHERE chain = ${ORG} AND seq = 2`.execute(db);
        await recomputeChain(t.store, db, ORG, 2);
        await sql`DELETE FROM audit_checkpoints WHERE chain = ${ORG}`.execute(db);
        const [head] = await t.store.audit.scan(ORG, 9, 1);
        await t.store.audit.addCheckpoint(signCheckpoint(forger, head!, '2026-11-23T12:00:00.000000Z', 'periodic'));
      });
      expect((await verify()).failure).toMatchObject({ seq: 10, reason: 'checkpoint_signature_invalid' });
    });

    it('truncation with the stored checkpoints deleted too is caught by an exported (off-box) checkpoint', async () => {
      const offBox = await t.store.audit.checkpoints(ORG);
      await asAttacker(t.store, async (db) => {
        await sql`DELETE FROM audit_records WHERE chain = ${ORG} AND seq >= 9`.execute(db);
        await sql`DELETE FROM audit_checkpoints WHERE chain = ${ORG}`.execute(db);
      });
      expect((await verifyChain(t.store.audit, ORG, { publicKeys: keys })).ok).toBe(true); // the database alone cannot tell
      const result = await verifyChain(t.store.audit, ORG, { publicKeys: keys, externalCheckpoints: offBox });
      expect(result.failure).toMatchObject({ seq: 9, reason: 'truncated' });
    });

    it('deleting the first records without a signed prune cut fails at the first remaining record', async () => {
      await asAttacker(t.store, async (db) => {
        await sql`DELETE FROM audit_records WHERE chain = ${ORG} AND seq <= 2`.execute(db);
      });
      expect((await verify()).failure).toMatchObject({ seq: 3, reason: 'missing_predecessor' });
    });
  });
}

describe('Canonical form round-trips through both databases', () => {
  for (const engine of ENGINES) {
    it(`records with quotes, control characters, non-ASCII and lone surrogates verify on ${engine}`, async () => {
      if (!(await engineAvailable(engine, `audit canonical round trip (${engine})`))) return;
      const t = await createTestStore(engine);
      try {
        const log = new AuditLog({ store: t.store.audit });
        const nasty = 'q"\\ \n\t\r\b\f \u0001\u001f\u007f é 中文 😀 \u2028 lone \ud800 end';
        await log.append({
          type: 'tool.call',
          result: 'failure',
          orgId: 'org_x',
          userId: nasty,
          tool: nasty,
          error: nasty,
          userAgent: nasty,
          params: { [nasty]: nasty },
          details: { n: 1.5e-7, big: 1e21, s: nasty },
        });
        await log.close();
        const links = await t.store.audit.scanCanonical('org_x', 0, 10);
        const [row] = await t.store.audit.scan('org_x', 0, 10);
        expect(links[0]!.canonical).toBe(canonicalRecord(row!)); // the database's fast path agrees with the definition
        expect(await verifyChain(t.store.audit, 'org_x')).toMatchObject({ ok: true, records: 1 });
      } finally {
        await t.cleanup();
      }
    });
  }
});
