import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { generateAuditSigner } from '../src/checkpoint.ts';
import { exportChainJsonl } from '../src/export.ts';
import { verifyExport } from '../src/verify-export.ts';

describe('Verifying an exported chain away from the database', () => {
  let t: TestStore;
  let lines: string[];
  const signer = generateAuditSigner();
  const keys = { publicKeys: [signer.publicKey] };
  beforeAll(async () => {
    t = await createTestStore('sqlite');
    const log = new AuditLog({ store: t.store.audit, signer, checkpointEvery: { records: 1_000_000, ms: 0 } });
    for (let i = 1; i <= 6; i++) {
      await log.append({
        type: 'tool.call',
        result: 'success',
        orgId: 'org_acme',
        userId: 'usr_1',
        tool: 'crm.read',
        params: { i, nested: { b: [1, 'two'], a: null } },
        scopes: ['crm:read'],
        actor: { kind: 'user', id: 'usr_1' },
        details: { x: 1 },
      });
    }
    await log.close(); // checkpoint at 6
    lines = [];
    for await (const line of exportChainJsonl(t.store.audit, 'org_acme')) lines.push(line);
  });
  afterAll(() => t.cleanup());

  const text = (ls: string[]) => ls.join('');

  it('an untouched export verifies with the public key alone', async () => {
    expect(await verifyExport(text(lines), keys)).toEqual([expect.objectContaining({ chain: 'org_acme', ok: true, records: 6, checkpoints: 1, signaturesChecked: true })]);
  });

  it('an edited value in the file fails at that record', async () => {
    const edited = lines.map((l, i) => (i === 2 ? l.replace('"i":3', '"i":4') : l));
    expect((await verifyExport(text(edited), keys))[0]!.failure).toMatchObject({ seq: 3, reason: 'hash_mismatch' });
  });

  it('a removed line fails at the next record; swapped lines fail; a cut tail fails against the checkpoint line', async () => {
    expect((await verifyExport(text(lines.filter((_, i) => i !== 1)), keys))[0]!.failure).toMatchObject({ seq: 3, reason: 'missing_predecessor' });
    const swapped = [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)];
    expect((await verifyExport(text(swapped), keys))[0]!.ok).toBe(false);
    const cut = [...lines.slice(0, 4), lines.at(-1)!]; // records 1..4 and the checkpoint at 6
    expect((await verifyExport(text(cut), keys))[0]!.failure).toMatchObject({ seq: 5, reason: 'truncated' });
  });
});
