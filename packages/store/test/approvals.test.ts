/**
 * Approvals on both engines: decided once, consumed once, only by the call
 * they are bound to, and never after they expire. The races run many
 * concurrent consumers (and deciders) across connections: exactly one wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Approval, ApprovalBinding, Store } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';

const postgres = await requirePostgres('@gatehouse-auth/store approvals on PostgreSQL');
const NOW = 1_800_000_000_000;

const binding: ApprovalBinding = { grantId: 'grant-1', subject: 'user-1', clientId: 'agent', resource: 'https://mcp.acme.test/mcp', tool: 'export_revenue', argumentsSha256: 'a'.repeat(64) };

const approval = (overrides: Partial<Approval> = {}): Approval => ({
  id: randomUUID(),
  ...binding,
  userId: 'user-1',
  orgId: 'org-1',
  arguments: { quarter: 'Q3' },
  approverRoles: ['Management'],
  selfApproval: true,
  status: 'pending',
  decidedBy: null,
  createdAt: NOW,
  expiresAt: NOW + 300_000,
  decidedAt: null,
  consumedAt: null,
  ...overrides,
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !postgres)(`approvals on ${engine}`, () => {
    let test: TestStore;
    let store: Store;
    beforeAll(async () => {
      test = await createTestStore(engine);
      store = test.store;
    });
    afterAll(() => test.cleanup());

    const approved = async (overrides: Partial<Approval> = {}) => {
      const a = approval(overrides);
      await store.approvals.create(a);
      expect(await store.approvals.decide(a.id, 'approved', 'user-1', NOW + 1)).toBe(true);
      return a;
    };

    it('round-trips an approval with its arguments and approver roles', async () => {
      const a = approval();
      await store.approvals.create(a);
      expect(await store.approvals.get(a.id)).toEqual(a);
    });

    it('decides a pending approval once: a second decision changes nothing', async () => {
      const a = approval();
      await store.approvals.create(a);
      expect(await store.approvals.decide(a.id, 'denied', 'user-2', NOW + 1)).toBe(true);
      expect(await store.approvals.decide(a.id, 'approved', 'user-3', NOW + 2)).toBe(false);
      expect(await store.approvals.get(a.id)).toMatchObject({ status: 'denied', decidedBy: 'user-2', decidedAt: NOW + 1 });
    });

    it('cannot decide an expired approval', async () => {
      const a = approval({ expiresAt: NOW + 10 });
      await store.approvals.create(a);
      expect(await store.approvals.decide(a.id, 'approved', 'user-1', NOW + 10)).toBe(false);
      expect((await store.approvals.get(a.id))?.status).toBe('pending');
    });

    it('consumes an approved approval once: the replay is refused as already consumed', async () => {
      const a = await approved();
      const first = await store.approvals.consume(a.id, binding, NOW + 2);
      expect(first.consumed).toBe(true);
      expect(await store.approvals.consume(a.id, binding, NOW + 3)).toEqual({ consumed: false, reason: 'already_consumed' });
    });

    it('refuses to consume a pending, a denied or an expired approval', async () => {
      const pending = approval();
      await store.approvals.create(pending);
      expect(await store.approvals.consume(pending.id, binding, NOW + 2)).toEqual({ consumed: false, reason: 'not_approved' });
      const denied = approval();
      await store.approvals.create(denied);
      await store.approvals.decide(denied.id, 'denied', 'user-1', NOW + 1);
      expect(await store.approvals.consume(denied.id, binding, NOW + 2)).toEqual({ consumed: false, reason: 'denied' });
      const expiring = await approved({ expiresAt: NOW + 100 });
      expect(await store.approvals.consume(expiring.id, binding, NOW + 100)).toEqual({ consumed: false, reason: 'expired' });
      expect((await store.approvals.get(expiring.id))?.status).toBe('approved');
    });

    it('refuses a consumption for other arguments, another tool, another grant or another agent, and the approval stays usable', async () => {
      const a = await approved();
      for (const other of [{ argumentsSha256: 'b'.repeat(64) }, { tool: 'delete_everything' }, { grantId: 'grant-2' }, { clientId: 'other-agent' }, { subject: 'user-2' }]) {
        expect(await store.approvals.consume(a.id, { ...binding, ...other }, NOW + 2)).toEqual({ consumed: false, reason: 'mismatch' });
      }
      expect((await store.approvals.consume(a.id, binding, NOW + 2)).consumed).toBe(true);
    });

    it('consumes by binding alone (no echoed state): the matching approved one, once', async () => {
      const own = { ...binding, argumentsSha256: 'c'.repeat(64) };
      const a = await approved({ argumentsSha256: own.argumentsSha256 });
      const outcome = await store.approvals.consume(undefined, own, NOW + 2);
      expect(outcome).toMatchObject({ consumed: true, approval: { id: a.id } });
      expect(await store.approvals.consume(undefined, own, NOW + 3)).toEqual({ consumed: false, reason: 'unknown' });
    });

    it('race: 20 concurrent consumers of one approval, exactly one wins', async () => {
      const a = await approved();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.approvals.consume(a.id, binding, NOW + 2)));
      expect(outcomes.filter((o) => o.consumed)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.consumed && o.reason === 'already_consumed')).toHaveLength(19);
    });

    it('race: 20 concurrent consumers by binding alone, exactly one wins', async () => {
      const own = { ...binding, argumentsSha256: 'd'.repeat(64) };
      await approved({ argumentsSha256: own.argumentsSha256 });
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.approvals.consume(undefined, own, NOW + 2)));
      expect(outcomes.filter((o) => o.consumed)).toHaveLength(1);
    });

    it('race: an approve and a deny at the same moment, exactly one decision stands', async () => {
      const a = approval();
      await store.approvals.create(a);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.approvals.decide(a.id, i % 2 ? 'approved' : 'denied', `user-${i}`, NOW + 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('purges approvals that expired', async () => {
      const old = approval({ expiresAt: NOW - 1 });
      await store.approvals.create(old);
      expect(await store.approvals.purgeExpired(NOW)).toBeGreaterThanOrEqual(1);
      expect(await store.approvals.get(old.id)).toBeUndefined();
    });
  });
}
