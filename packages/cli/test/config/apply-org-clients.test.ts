/**
 * Issue 16, item 2 as config: `organizations[].clients` sets the org's
 * client policy. A block revokes the client's tokens in that org (announced
 * after commit), a rule the file drops is removed, pending requests are kept,
 * and an org without `clients:` is left to the admin API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { LocalEventBus, ManualClock, sha256, type GatehouseEvent, type TokenRecord } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';
import { apply } from '../../src/config/apply.ts';
import { parseConfig } from '../../src/config/load.ts';

const EXAMPLE = await readFile(new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url), 'utf8');
const ACME = '  - slug: acme\n    name: Acme Inc.\n    audit_retention_days: 365\n';
const withClients = (yaml: string) => {
  if (!EXAMPLE.includes(ACME)) throw new Error('example changed');
  return parseConfig(EXAMPLE.replace(ACME, `${ACME}    clients:\n${yaml}`));
};

const token = (clientId: string, orgId: string, now: number): TokenRecord => ({
  hash: sha256(`token-${clientId}-${orgId}-${now}`),
  kind: 'access',
  format: 'opaque',
  grantId: null,
  familyId: 'fam',
  clientId,
  userId: null,
  orgId,
  resource: 'http://127.0.0.1:4001/mcp',
  scopes: ['tickets:read'],
  createdAt: now,
  expiresAt: now + 3_600_000,
  revokedAt: null,
  rotatedAt: null,
  parentHash: null,
});

for (const engine of ['sqlite', 'postgres'] as const) {
  const available = engine === 'sqlite' || (await requirePostgres(`cli apply org clients on ${engine}`));

  describe.skipIf(!available)(`config: organizations[].clients (${engine})`, () => {
    let testStore: TestStore;
    let store: Store;
    let clock: ManualClock;
    let events: (GatehouseEvent & { at: number })[];
    let bus: LocalEventBus;

    beforeEach(async () => {
      testStore = await createTestStore(engine);
      store = testStore.store;
      clock = new ManualClock(1_800_000_000_000);
      events = [];
      bus = new LocalEventBus(() => clock.now());
      bus.subscribe((event) => void events.push(event));
    });
    afterEach(async () => testStore.cleanup());

    it('allow_hosts makes the org an allowlist of those hosts; require_approval makes it approval', async () => {
      await apply(store, withClients('      allow_hosts: [claude.ai, cursor.com]\n'), { clock, events: bus });
      const acme = (await store.orgs.getBySlug('acme'))!;
      const policy = await store.clientPolicies.get(acme.id);
      expect(policy.mode).toBe('allowlist');
      expect(policy.rules.map((r) => `${r.decision} ${r.kind} ${r.value}`)).toEqual(['allow host claude.ai', 'allow host cursor.com']);
      await apply(store, withClients('      allow_hosts: [claude.ai]\n      require_approval: true\n'), { clock, events: bus });
      const next = await store.clientPolicies.get(acme.id);
      expect(next.mode).toBe('approval');
      expect(next.rules.map((r) => r.value)).toEqual(['claude.ai']);
    });

    it("a block revokes the client's tokens in that org when applied and announces them; re-applying changes nothing", async () => {
      await apply(store, parseConfig(EXAMPLE), { clock, events: bus });
      const acme = (await store.orgs.getBySlug('acme'))!;
      const live = token('cli_shadow', acme.id, clock.now());
      await store.tokens.insert([live]);
      await store.clientPolicies.addPending(acme.id, 'cli_waiting', clock.now());
      const config = withClients('      block: [cli_shadow]\n');
      const { changes } = await apply(store, config, { clock, events: bus });
      expect(changes.map((c) => c.detail)).toContain('block client cli_shadow');
      expect((await store.tokens.get(live.hash))?.revokedAt).toBe(clock.now());
      expect(events.find((e) => e.type === 'token.revoked')).toMatchObject({ reason: 'client_blocked', orgId: acme.id, clientId: 'cli_shadow', tokenHashes: [live.hash] });
      // The pending request is the admins' to decide: kept.
      expect((await store.clientPolicies.get(acme.id)).rules.map((r) => `${r.decision} ${r.value}`)).toEqual(['block cli_shadow', 'pending cli_waiting']);
      expect((await apply(store, config, { clock })).changes).toEqual([]);
    });

    it('an org without clients: keeps a policy set through the admin API', async () => {
      await apply(store, parseConfig(EXAMPLE), { clock, events: bus });
      const acme = (await store.orgs.getBySlug('acme'))!;
      await store.clientPolicies.setMode(acme.id, 'allowlist', clock.now());
      expect((await apply(store, parseConfig(EXAMPLE), { clock })).changes).toEqual([]);
      expect((await store.clientPolicies.get(acme.id)).mode).toBe('allowlist');
    });

    it('refuses a host with a scheme', () => {
      expect(() => withClients('      allow_hosts: [https://claude.ai]\n')).toThrow(/host name/);
    });
  });
}
