import { describe, expect, it } from 'vitest';
import { createTestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { verifyChain } from '../src/verify.ts';
import { engineAvailable } from './helpers.ts';

const available = await engineAvailable('postgres', 'audit concurrent appenders (postgres)');

describe.skipIf(!available)('Concurrent appends on PostgreSQL (security-catalogue: one linear chain)', () => {
  it('three Gatehouse instances on separate pools appending to one org at once produce one gap-free chain', async () => {
    const t = await createTestStore('postgres', { poolSize: 4 });
    try {
      const stores = [t.store, await t.openAnother(), await t.openAnother()];
      const logs = stores.map((store) => new AuditLog({ store: store.audit, maxBatch: 50 }));
      const refs = await Promise.all(Array.from({ length: 600 }, (_, i) => logs[i % logs.length]!.append({ type: 'tool.call', result: 'success', orgId: 'org_race', params: { i } })));
      expect(new Set(refs.map((r) => r.seq)).size).toBe(600);
      expect(Math.max(...refs.map((r) => r.seq))).toBe(600);
      expect(await verifyChain(t.store.audit, 'org_race')).toMatchObject({ ok: true, records: 600, lastSeq: 600 });
      // Each acknowledged hash is the stored one: no writer's view of the chain was overwritten.
      const stored = new Map((await t.store.audit.scan('org_race', 0, 1000)).map((r) => [r.seq, r.hash]));
      expect(refs.every((r) => stored.get(r.seq) === r.hash)).toBe(true);
      await Promise.all(logs.map((log) => log.close()));
    } finally {
      await t.cleanup();
    }
  });
});
