import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { checkpointSignatureValid, generateAuditSigner, loadAuditSigner } from '../src/checkpoint.ts';

describe('Signed checkpoints (every N records, every T, on demand, on close)', () => {
  let t: TestStore;
  const signer = generateAuditSigner();
  beforeEach(async () => {
    t = await createTestStore('sqlite');
  });
  afterEach(() => t.cleanup());

  it('signs a chain whose records have waited past the interval, without a new append', async () => {
    const log = new AuditLog({ store: t.store.audit, signer, checkpointEvery: { records: 1_000_000, ms: 30 } });
    try {
      await log.append({ type: 'tool.call', result: 'success', orgId: 'org_a' });
      let checkpoints = await t.store.audit.checkpoints('org_a');
      for (let i = 0; i < 200 && checkpoints.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        checkpoints = await t.store.audit.checkpoints('org_a');
      }
      expect(checkpoints.map((c) => [c.seq, c.reason])).toEqual([[1, 'periodic']]);
      expect(checkpointSignatureValid(checkpoints[0]!, [signer.publicKey])).toBe(true);
    } finally {
      await log.close();
    }
  });

  it("on demand signs the current head; close signs every chain's unsigned tail", async () => {
    const log = new AuditLog({ store: t.store.audit, signer, checkpointEvery: { records: 1_000_000, ms: 0 } });
    await log.append({ type: 'a', result: 'success', orgId: 'org_a' });
    const onDemand = await log.checkpoint('org_a');
    expect(onDemand).toMatchObject({ chain: 'org_a', seq: 1, reason: 'on_demand' });
    expect(await log.checkpoint('org_empty')).toBeUndefined();
    await log.append({ type: 'b', result: 'success', orgId: 'org_a' });
    await log.append({ type: 'c', result: 'success' });
    await log.close();
    expect((await t.store.audit.checkpoints('org_a')).map((c) => c.seq)).toEqual([1, 2]);
    expect((await t.store.audit.checkpoints('_system')).map((c) => c.seq)).toEqual([1]);
  });

  it('a signature does not verify under another key or after any signed field changes', async () => {
    const log = new AuditLog({ store: t.store.audit, signer });
    await log.append({ type: 'a', result: 'success', orgId: 'org_a' });
    const checkpoint = (await log.checkpoint('org_a'))!;
    await log.close();
    const pem = signer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(checkpointSignatureValid(checkpoint, [loadAuditSigner(pem).publicKey])).toBe(true);
    expect(checkpointSignatureValid(checkpoint, [generateAuditSigner().publicKey])).toBe(false);
    for (const change of [{ seq: 2 }, { hash: 'x' + checkpoint.hash.slice(1) }, { chain: 'org_b' }, { at: '2030-01-01T00:00:00.000000Z' }]) {
      expect(checkpointSignatureValid({ ...checkpoint, ...change }, [signer.publicKey])).toBe(false);
    }
  });
});
