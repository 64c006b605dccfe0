import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { orgAuditReader, systemAuditReader } from '../src/query.ts';
import { ENGINES, engineAvailable } from './helpers.ts';

const BASE_US = Date.UTC(2026, 10, 1) * 1000;

for (const engine of ENGINES) {
  const available = await engineAvailable(engine, `audit admin query (${engine})`);
  describe.skipIf(!available)(`Customer admin audit query on ${engine}`, () => {
    let t: TestStore;
    let log: AuditLog;
    beforeEach(async () => {
      t = await createTestStore(engine);
      let tick = 0;
      log = new AuditLog({ store: t.store.audit, now: () => BASE_US + tick++ * 60_000_000 });
      for (let i = 0; i < 30; i++) {
        await log.append({
          type: 'tool.call',
          orgId: i % 2 === 0 ? 'org_acme' : 'org_globex',
          userId: `usr_${i % 3}`,
          clientId: i % 5 === 0 ? 'cli_cursor' : 'cli_claude',
          tool: i % 4 === 0 ? 'finance.pay' : 'tickets.read',
          result: i % 7 === 0 ? 'denied' : 'success',
          params: { i },
        });
      }
      await log.append({ type: 'login.failed', result: 'failure', userId: 'usr_0', details: { email: 'a@acme.test' } });
    });
    afterEach(async () => {
      await log.close();
      await t.cleanup();
    });

    it("returns only the admin's own organization's records, whatever the filters", async () => {
      const acme = orgAuditReader(t.store.audit, 'org_acme');
      const all = await acme.query({ limit: 1000 });
      expect(all.records).toHaveLength(15);
      expect(new Set(all.records.map((r) => r.orgId))).toEqual(new Set(['org_acme']));
      // A filter naming a record that exists only in the other org finds nothing.
      const globexOnly = await acme.query({ userId: 'usr_1', clientId: 'cli_claude', limit: 1000 });
      expect(globexOnly.records.every((r) => r.orgId === 'org_acme')).toBe(true);
      // Smuggled fields are not part of the query contract and are ignored.
      const smuggled = await acme.query({ chain: 'org_globex', orgId: 'org_globex' } as never);
      expect(smuggled.records.every((r) => r.orgId === 'org_acme')).toBe(true);
    });

    it('an org admin cannot read the records that belong to no organization', async () => {
      expect(() => orgAuditReader(t.store.audit, '_system')).toThrow();
      expect(() => orgAuditReader(t.store.audit, '')).toThrow();
      const system = await systemAuditReader(t.store.audit).query();
      expect(system.records.map((r) => r.type)).toEqual(['login.failed']);
    });

    it('filters by user, client, tool, result and time range', async () => {
      const acme = orgAuditReader(t.store.audit, 'org_acme');
      const expected = (pred: (i: number) => boolean) =>
        Array.from({ length: 30 }, (_, i) => i)
          .filter((i) => i % 2 === 0 && pred(i))
          .map((i) => ({ i }))
          .reverse();
      const params = async (q: Parameters<typeof acme.query>[0]) => (await acme.query({ ...q, limit: 1000 })).records.map((r) => r.params);
      expect(await params({ userId: 'usr_1' })).toEqual(expected((i) => i % 3 === 1));
      expect(await params({ clientId: 'cli_cursor' })).toEqual(expected((i) => i % 5 === 0));
      expect(await params({ tool: 'finance.pay' })).toEqual(expected((i) => i % 4 === 0));
      expect(await params({ result: 'denied' })).toEqual(expected((i) => i % 7 === 0));
      // Record i was written at minute i: [10, 20) holds 10, 12 … 18.
      expect(await params({ from: new Date(BASE_US / 1000 + 10 * 60_000).toISOString(), to: new Date(BASE_US / 1000 + 20 * 60_000).toISOString() })).toEqual(expected((i) => i >= 10 && i < 20));
    });

    it('pages by seq cursor without gaps or repeats, newest first or oldest first', async () => {
      const acme = orgAuditReader(t.store.audit, 'org_acme');
      for (const order of ['desc', 'asc'] as const) {
        const seen: number[] = [];
        let cursor: number | undefined;
        for (let page = 0; page < 10; page++) {
          const result = await acme.query({ order, limit: 4, cursor });
          seen.push(...result.records.map((r) => r.seq));
          if (result.nextCursor === null) break;
          cursor = result.nextCursor;
        }
        const all = Array.from({ length: 15 }, (_, i) => i + 1);
        expect(seen).toEqual(order === 'asc' ? all : all.reverse());
      }
    });
  });
}
