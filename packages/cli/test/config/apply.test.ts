import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { LocalEventBus, ManualClock, sha256, type GatehouseEvent, type TokenRecord } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';
import { apply } from '../../src/config/apply.ts';
import { parseConfig } from '../../src/config/load.ts';
import { formatChange } from '../../src/config/plan.ts';
import { ApplyError } from '../../src/config/apply-clients.ts';

const EXAMPLE = await readFile(new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url), 'utf8');
const example = () => parseConfig(EXAMPLE);
const edited = (from: string, to: string) => {
  if (!EXAMPLE.includes(from)) throw new Error(`example does not contain ${from}`);
  return parseConfig(EXAMPLE.replace(from, to));
};

async function snapshot(store: Store) {
  const orgs = await store.orgs.list();
  return {
    roles: await store.roles.list(),
    scopes: await store.scopes.list(),
    resources: await store.resources.list(),
    orgs,
    clients: await store.clients.list(),
    users: await store.users.list(),
    members: (await Promise.all(orgs.map((o) => store.orgs.listMembers(o.id)))).flat(),
    signup: await store.settings.getSignupPolicy(),
  };
}

function accessToken(userId: string, orgId: string, now: number): TokenRecord {
  return {
    hash: sha256(`token-${userId}-${now}`),
    kind: 'access',
    format: 'opaque',
    grantId: null,
    familyId: 'fam',
    clientId: 'internal-company-mcp',
    userId,
    orgId,
    resource: 'http://127.0.0.1:4001/mcp',
    scopes: ['tickets:read'],
    createdAt: now,
    expiresAt: now + 3_600_000,
    revokedAt: null,
    rotatedAt: null,
    parentHash: null,
  };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  const available = engine === 'sqlite' || (await requirePostgres(`cli apply on ${engine}`));

  describe.skipIf(!available)(`config apply (${engine})`, () => {
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

    it("Organizations bound resources: stores a resource's org slugs as org ids and a resource server's resources in canonical form", async () => {
      await apply(store, example(), { clock, events: bus });
      const acme = (await store.orgs.getBySlug('acme'))!;
      expect(await store.resources.get('http://127.0.0.1:4001/mcp')).toMatchObject({ organizations: [acme.id], multiTenant: false });
      expect((await store.clients.get('internal-company-mcp'))?.resourceServerFor).toEqual(['http://127.0.0.1:4001/mcp']);
      // A new org in the same run is known by id when the resource names it; the change is reported and announced.
      const grown = parseConfig(
        EXAMPLE.replace('organizations: [acme]', 'organizations: [acme, globex]').replace('audit_retention_days: 365\n', 'audit_retention_days: 365\n  - slug: globex\n    name: Globex\n'),
      );
      const { changes } = await apply(store, grown, { clock, events: bus });
      const globex = (await store.orgs.getBySlug('globex'))!;
      expect((await store.resources.get('http://127.0.0.1:4001/mcp'))?.organizations).toEqual([acme.id, globex.id].sort());
      expect(changes.map(formatChange)).toContain(`~ resource http://127.0.0.1:4001/mcp (organizations [${acme.id}] → [${[acme.id, globex.id].sort().join(', ')}])`);
      expect(events.map((e) => e.type)).toContain('resource.updated');
      expect((await apply(store, grown, { clock })).changes).toEqual([]);
    });

    it('creates the example company: 4 roles, 8 scopes, 1 resource, 1 org, 1 client, 4 users with memberships', async () => {
      const result = await apply(store, example(), { events: bus, clock });
      const state = await snapshot(store);
      expect(state.roles.map((r) => r.name).sort()).toEqual(['Engineering', 'HR', 'Management', 'Support']);
      expect(state.scopes).toHaveLength(8);
      expect(state.resources.map((r) => r.uri)).toEqual(['http://127.0.0.1:4001/mcp']);
      expect(state.members).toHaveLength(4);
      expect(state.clients[0]?.secretHash).toBe(sha256('dev-only-internal-company-mcp-secret'));
      expect(state.signup).toEqual({ publicSignup: false, allowedEmailDomains: ['acme.test'] });
      const maria = await store.users.getByEmail('maria@acme.test');
      expect(maria?.passwordHash).toMatch(/^\$argon2id\$/);
      expect(result.changes.map(formatChange)).toContain('+ scope finance:read:revenue');
      expect(events.at(-1)).toMatchObject({ type: 'config.applied', changes: result.changes.length });
    });

    it('is idempotent: a second apply reports and performs zero changes and publishes nothing', async () => {
      await apply(store, example(), { clock });
      const before = await snapshot(store);
      clock.advance(60_000);
      const second = await apply(store, example(), { events: bus, clock });
      expect(second.changes).toEqual([]);
      expect(events).toEqual([]);
      // Same password hashes and timestamps: nothing was rewritten or re-hashed.
      expect(await snapshot(store)).toEqual(before);
    });

    it('dry run reports the changes and writes nothing', async () => {
      const dry = await apply(store, example(), { dryRun: true, events: bus, clock });
      expect(dry.changes.length).toBeGreaterThan(20);
      const state = await snapshot(store);
      expect([state.roles, state.scopes, state.resources, state.orgs, state.clients, state.users]).toEqual([[], [], [], [], [], []]);
      expect(events).toEqual([]);
      const real = await apply(store, example(), { clock });
      expect(real.changes.map(formatChange)).toEqual(dry.changes.map(formatChange));
    });

    it('reports an edited field as old → new', async () => {
      await apply(store, example(), { clock });
      const result = await apply(store, edited('    allowed_roles: [Support, Engineering]\n    sensitivity: routine', '    allowed_roles: [Support, Engineering]\n    sensitivity: sensitive'), {
        clock,
        events: bus,
      });
      expect(result.changes.map(formatChange)).toEqual(['~ scope tickets:read (sensitivity routine → sensitive)']);
      expect((await store.scopes.get('tickets:read'))?.sensitivity).toBe('sensitive');
      expect(events.map((e) => e.type)).toEqual(['scope.updated', 'config.applied']);
    });

    it("grant lifetimes: a scope's max_grant_lifetime_days and reconsent_after_days are stored, shown as changes, and unset when removed", async () => {
      await apply(store, example(), { clock });
      const limited = '    allowed_roles: [Support, Engineering]\n    sensitivity: routine\n    max_grant_lifetime_days: 30\n    reconsent_after_days: 7';
      const result = await apply(store, edited('    allowed_roles: [Support, Engineering]\n    sensitivity: routine', limited), { clock, events: bus });
      expect(result.changes.map(formatChange)).toEqual(['~ scope tickets:read (maxGrantLifetimeDays none → 30; reconsentAfterDays none → 7)']);
      expect(await store.scopes.get('tickets:read')).toMatchObject({ maxGrantLifetimeDays: 30, reconsentAfterDays: 7 });
      const back = await apply(store, example(), { clock });
      expect(back.changes.map(formatChange)).toEqual(['~ scope tickets:read (maxGrantLifetimeDays 30 → none; reconsentAfterDays 7 → none)']);
      expect(await store.scopes.get('tickets:read')).not.toHaveProperty('maxGrantLifetimeDays');
    });

    it('detects a changed password by verifying against the stored hash', async () => {
      await apply(store, example(), { clock });
      const before = await store.users.getByEmail('sam@acme.test');
      const result = await apply(store, edited('password: sam-dev-password', 'password: sam-new-password'), { clock });
      expect(result.changes.map(formatChange)).toEqual(['~ user sam@acme.test (password changed)']);
      expect((await store.users.getByEmail('sam@acme.test'))?.passwordHash).not.toBe(before?.passwordHash);
    });

    it('a role change revokes the member’s tokens in that organization and announces it', async () => {
      await apply(store, example(), { clock });
      const eli = (await store.users.getByEmail('eli@acme.test'))!;
      const acme = (await store.orgs.getBySlug('acme'))!;
      const token = accessToken(eli.id, acme.id, clock.now());
      await store.tokens.insert([token]);
      const result = await apply(store, edited('memberships: [{ org: acme, roles: [Engineering] }]', 'memberships: [{ org: acme, roles: [Support] }]'), { clock, events: bus });
      expect(result.changes.map(formatChange)).toEqual(['~ membership eli@acme.test in acme (roles [Engineering] → [Support])']);
      expect((await store.tokens.get(token.hash))?.revokedAt).not.toBeNull();
      expect(events.find((e) => e.type === 'token.revoked')).toMatchObject({ tokenHashes: [token.hash], reason: 'membership_changed', userId: eli.id });
      expect(events.find((e) => e.type === 'membership.changed')).toMatchObject({ userId: eli.id, orgId: acme.id, roles: ['Support'] });
    });

    it('taking a scope away from a role revokes that role’s members’ tokens in the org, and only theirs', async () => {
      await apply(store, example(), { clock });
      const acme = (await store.orgs.getBySlug('acme'))!;
      const eli = (await store.users.getByEmail('eli@acme.test'))!;
      const sam = (await store.users.getByEmail('sam@acme.test'))!;
      const eliToken = accessToken(eli.id, acme.id, clock.now());
      const samToken = accessToken(sam.id, acme.id, clock.now());
      await store.tokens.insert([eliToken, samToken]);
      const result = await apply(store, edited('allowed_roles: [Support, Engineering]', 'allowed_roles: [Support]'), { clock, events: bus });
      expect(result.changes.map(formatChange)).toEqual(['~ scope tickets:read (allowedRoles [Engineering, Support] → [Support])']);
      expect((await store.tokens.get(eliToken.hash))?.revokedAt).not.toBeNull();
      expect((await store.tokens.get(samToken.hash))?.revokedAt).toBeNull();
      expect(events.find((e) => e.type === 'token.revoked')).toMatchObject({ tokenHashes: [eliToken.hash], userId: eli.id, orgId: acme.id });
    });

    it('widening a scope to more roles revokes nothing', async () => {
      await apply(store, example(), { clock });
      const acme = (await store.orgs.getBySlug('acme'))!;
      const eli = (await store.users.getByEmail('eli@acme.test'))!;
      const token = accessToken(eli.id, acme.id, clock.now());
      await store.tokens.insert([token]);
      await apply(store, edited('allowed_roles: [Support, Engineering]', 'allowed_roles: [Support, Engineering, HR]'), { clock });
      expect((await store.tokens.get(token.hash))?.revokedAt).toBeNull();
    });

    it('changing a service agent’s roles revokes the tokens it holds', async () => {
      const withAgent = (roles: string) =>
        parseConfig(
          `${EXAMPLE}  - client_id: nightly-report\n    name: Nightly report\n    grant_types: [client_credentials]\n    secret: nightly-report-dev-secret\n    org: acme\n    roles: [${roles}]\n`.replace(
            /\nusers:[\s\S]*?(?=\n  - client_id: nightly-report)/,
            '\n',
          ),
        );
      await apply(store, withAgent('Management'), { clock });
      const acme = (await store.orgs.getBySlug('acme'))!;
      const token = { ...accessToken('unused', acme.id, clock.now()), userId: null, clientId: 'nightly-report' };
      await store.tokens.insert([token]);
      const result = await apply(store, withAgent('Support'), { clock });
      expect(result.changes.map(formatChange)).toEqual(['~ client nightly-report (roles [Management] → [Support])']);
      expect((await store.tokens.get(token.hash))?.revokedAt).not.toBeNull();
    });

    it('re-applying the file does not re-enable a user an operator disabled; disabled: false does', async () => {
      await apply(store, example(), { clock });
      const sam = (await store.users.getByEmail('sam@acme.test'))!;
      await store.users.setStatus(sam.id, 'disabled', clock.now());
      expect((await apply(store, example(), { clock })).changes).toEqual([]);
      expect((await store.users.get(sam.id))?.status).toBe('disabled');
      const enabling = edited('    name: Sam Support\n', '    name: Sam Support\n    disabled: false\n');
      expect((await apply(store, enabling, { clock })).changes.map(formatChange)).toEqual(['~ user sam@acme.test (status disabled → active)']);
    });

    it('deletes only what config created: a runtime client and a signed-up user survive removal from the file', async () => {
      await apply(store, example(), { clock });
      const now = clock.now();
      await store.users.create({ id: 'usr_signup', email: 'new@acme.test', name: 'New', passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
      await store.clients.create({
        id: 'dyn_1',
        kind: 'dynamic',
        name: 'Claude',
        redirectUris: ['http://127.0.0.1:9/cb'],
        grantTypes: ['authorization_code'],
        tokenEndpointAuthMethod: 'none',
        secretHash: null,
        applicationType: 'native',
        logoUri: null,
        clientUri: null,
        policyUri: null,
        tosUri: null,
        scope: null,
        orgId: null,
        roles: [],
        resourceServerFor: [],
        status: 'active',
        registrationAccessTokenHash: null,
        metadataExpiresAt: null,
        createdAt: now,
        updatedAt: now,
      });
      const trimmed = parseConfig(EXAMPLE.replace(/\nclients:[\s\S]*$/, '\n'));
      const result = await apply(store, trimmed, { clock });
      expect(result.changes.map(formatChange).sort()).toEqual([
        '- client internal-company-mcp',
        '- membership eli@acme.test in acme',
        '- membership hana@acme.test in acme',
        '- membership maria@acme.test in acme',
        '- membership sam@acme.test in acme',
        '- user eli@acme.test (disabled)',
        '- user hana@acme.test (disabled)',
        '- user maria@acme.test (disabled)',
        '- user sam@acme.test (disabled)',
      ]);
      expect(await store.clients.get('dyn_1')).toBeDefined();
      expect(await store.clients.get('internal-company-mcp')).toBeUndefined();
      expect((await store.users.get('usr_signup'))?.status).toBe('active');
      expect((await store.users.getByEmail('maria@acme.test'))?.status).toBe('disabled');
      expect((await apply(store, trimmed, { clock })).changes).toEqual([]);
    });

    it('removes a scope dropped from the file and updates the resource that listed it', async () => {
      await apply(store, example(), { clock });
      const config = example();
      config.scopes = config.scopes.filter((s) => s.name !== 'code:read');
      config.resources[0]!.scopes = config.resources[0]!.scopes.filter((s) => s !== 'code:read');
      const result = await apply(store, config, { clock });
      expect(result.changes.map(formatChange)).toEqual([
        '~ resource http://127.0.0.1:4001/mcp (scopes [analytics:read:all, code:read, customers:read:summary, employees:read:private, employees:read:public, finance:read:revenue, ticket:write:update, tickets:read] → [analytics:read:all, customers:read:summary, employees:read:private, employees:read:public, finance:read:revenue, ticket:write:update, tickets:read])',
        '- scope code:read',
      ]);
      expect(await store.scopes.get('code:read')).toBeUndefined();
    });

    it('Consent that explains: stores the declared operations and required scopes, and re-applies a changed map as a resource change', async () => {
      await apply(store, example(), { clock });
      const stored = await store.resources.get('http://127.0.0.1:4001/mcp');
      expect(stored?.operations?.tools.revenue_report).toEqual(['finance:read:revenue']);
      expect((await store.scopes.get('employees:read:public'))?.optional).toBe(false);
      expect((await store.scopes.get('tickets:read'))?.optional).toBe(true);
      const config = example();
      config.resources[0]!.operations = { tools: { revenue_report: ['finance:read:revenue'] }, resources: {}, prompts: {} };
      const result = await apply(store, config, { clock });
      expect(result.changes.map(formatChange)).toEqual(['~ resource http://127.0.0.1:4001/mcp (operations)']);
      expect((await store.resources.get('http://127.0.0.1:4001/mcp'))?.operations?.tools).toEqual({ revenue_report: ['finance:read:revenue'] });
    });

    if (engine === 'postgres')
      it('two replicas applying the same file at once both succeed and create everything once', async () => {
        const other = await testStore.openAnother();
        const results = await Promise.all([apply(store, example(), { clock }), apply(other, example(), { clock })]);
        expect(results.every((r) => Array.isArray(r.changes))).toBe(true);
        const state = await snapshot(store);
        expect(state.orgs).toHaveLength(1);
        expect(state.users).toHaveLength(4);
        expect(state.members).toHaveLength(4);
        expect((await apply(store, example(), { clock })).changes).toEqual([]);
      });

    it('refuses to take over a dynamically registered client and leaves the store unchanged', async () => {
      const now = clock.now();
      await store.clients.create({
        id: 'internal-company-mcp',
        kind: 'dynamic',
        name: 'Squatter',
        redirectUris: ['http://127.0.0.1:9/cb'],
        grantTypes: ['authorization_code'],
        tokenEndpointAuthMethod: 'none',
        secretHash: null,
        applicationType: 'native',
        logoUri: null,
        clientUri: null,
        policyUri: null,
        tosUri: null,
        scope: null,
        orgId: null,
        roles: [],
        resourceServerFor: [],
        status: 'active',
        registrationAccessTokenHash: null,
        metadataExpiresAt: null,
        createdAt: now,
        updatedAt: now,
      });
      const before = await snapshot(store);
      await expect(apply(store, example(), { clock, events: bus })).rejects.toThrow(ApplyError);
      // Roles and scopes written earlier in the same transaction were rolled back.
      expect(await snapshot(store)).toEqual(before);
      expect(events).toEqual([]);
    });
  });
}
