/**
 * The SCIM directory store (migrations 0014, 0015) on SQLite and
 * PostgreSQL: what an org's directory provisioned stays in that org,
 * versions guard every replace (the ETag), the token is found by its hash
 * only, and narrowing a grant kills the tokens that carried the lost scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, sha256 } from '@gatehouse-auth/core';
import type { ScimGroupRecord, ScimUserRecord, Store } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';
import { aGrant, anOrg, aToken, aUser, T0 } from './conformance/fixtures.ts';

const postgres = await requirePostgres('@gatehouse-auth/store SCIM directory on PostgreSQL');

const aScimUser = (orgId: string, userId: string, over: Partial<ScimUserRecord> = {}): ScimUserRecord => ({
  orgId,
  userId,
  userName: `${userId}@Example.com`,
  externalId: `ext-${userId}`,
  active: true,
  ownsAccount: true,
  attributes: { name: { givenName: 'Ada', familyName: 'Lovelace' } },
  version: 1,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const aGroup = (orgId: string, members: string[], over: Partial<ScimGroupRecord> = {}): ScimGroupRecord => ({
  id: newId('grp'),
  orgId,
  displayName: `eng-${newId('g')}`,
  externalId: null,
  members,
  version: 1,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !postgres)(`SCIM directory store (${engine})`, () => {
    let made: TestStore;
    let store: Store;
    beforeAll(async () => {
      made = await createTestStore(engine);
      store = made.store;
    });
    afterAll(() => made.cleanup());

    const orgWithUsers = async (count: number) => {
      const org = anOrg();
      await store.orgs.create(org);
      const users = Array.from({ length: count }, () => aUser());
      for (const user of users) await store.users.create(user);
      return { org, users };
    };

    it('RFC 7643 §4.1: userName is unique per org, case-insensitively, and other orgs may reuse it', async () => {
      const { org, users } = await orgWithUsers(2);
      const other = anOrg();
      await store.orgs.create(other);
      expect(await store.scim.createUser(aScimUser(org.id, users[0]!.id, { userName: 'Ada@Example.com' }))).toBe('written');
      expect(await store.scim.createUser(aScimUser(org.id, users[1]!.id, { userName: 'ada@example.COM' }))).toBe('duplicate');
      expect(await store.scim.createUser(aScimUser(other.id, users[1]!.id, { userName: 'ada@example.com' }))).toBe('written');
      expect((await store.scim.findUserByName(org.id, 'ADA@EXAMPLE.COM'))?.userId).toBe(users[0]!.id);
      expect((await store.scim.findUserByName(other.id, 'Ada@Example.com'))?.userId).toBe(users[1]!.id);
      expect((await store.scim.listUsers(org.id)).map((u) => u.userId)).toEqual([users[0]!.id]);
    });

    it('RFC 7644 §3.14: a replace names the version it read; a stale version changes nothing', async () => {
      const { org, users } = await orgWithUsers(1);
      const record = aScimUser(org.id, users[0]!.id);
      await store.scim.createUser(record);
      expect(await store.scim.replaceUser({ ...record, active: false, version: 2, updatedAt: T0 + 1 }, 1)).toBe('written');
      expect(await store.scim.replaceUser({ ...record, userName: 'late@example.com', version: 2 }, 1)).toBe('version_mismatch');
      const stored = await store.scim.getUser(org.id, users[0]!.id);
      expect(stored).toMatchObject({ active: false, version: 2, userName: record.userName, attributes: record.attributes, ownsAccount: true });
      expect(await store.scim.deleteUser(org.id, users[0]!.id)).toBe(true);
      expect(await store.scim.getUser(org.id, users[0]!.id)).toBeUndefined();
    });

    it('keeps groups, their members and their versions per org', async () => {
      const { org, users } = await orgWithUsers(3);
      const other = anOrg();
      await store.orgs.create(other);
      const eng = aGroup(org.id, [users[0]!.id, users[1]!.id], { displayName: 'eng' });
      expect(await store.scim.createGroup(eng)).toBe('written');
      expect(await store.scim.createGroup(aGroup(org.id, [], { displayName: 'eng' }))).toBe('duplicate');
      expect(await store.scim.createGroup(aGroup(other.id, [users[2]!.id], { displayName: 'eng' }))).toBe('written');
      expect(await store.scim.getGroup(other.id, eng.id)).toBeUndefined();
      expect((await store.scim.findGroupByName(org.id, 'eng'))?.id).toBe(eng.id);
      expect(await store.scim.findGroupByName(org.id, 'ENG')).toBeUndefined();
      expect((await store.scim.getGroup(org.id, eng.id))?.members.sort()).toEqual([users[0]!.id, users[1]!.id].sort());
      expect(await store.scim.replaceGroup({ ...eng, members: [users[1]!.id, users[2]!.id], version: 2 }, 1)).toBe('written');
      expect(await store.scim.replaceGroup({ ...eng, members: [], version: 2 }, 1)).toBe('version_mismatch');
      expect(await store.scim.groupsOfUser(org.id, users[2]!.id)).toEqual([{ id: eng.id, displayName: 'eng' }]);
      expect(await store.scim.groupsOfUser(org.id, users[0]!.id)).toEqual([]);
      expect(await store.scim.removeUserFromGroups(org.id, users[2]!.id)).toEqual([eng.id]);
      expect((await store.scim.getGroup(org.id, eng.id))?.version).toBe(3);
      expect((await store.scim.groupsOfUser(other.id, users[2]!.id)).map((g) => g.displayName)).toEqual(['eng']);
      expect(await store.scim.deleteGroup(other.id, eng.id)).toBe(false);
      expect(await store.scim.deleteGroup(org.id, eng.id)).toBe(true);
      expect(await store.scim.listGroups(org.id)).toEqual([]);
    });

    it('stores the SCIM token as a hash; rotating replaces it and the old hash finds nothing', async () => {
      const org = anOrg();
      await store.orgs.create(org);
      expect(await store.scim.hasToken(org.id)).toBe(false);
      expect(await store.scim.setToken(org.id, sha256('first'), T0)).toEqual({ replaced: false });
      expect(await store.scim.orgOfToken(sha256('first'))).toBe(org.id);
      expect(await store.scim.setToken(org.id, sha256('second'), T0 + 1)).toEqual({ replaced: true });
      expect(await store.scim.orgOfToken(sha256('first'))).toBeUndefined();
      expect(await store.scim.orgOfToken(sha256('second'))).toBe(org.id);
      expect(await store.scim.hasToken(org.id)).toBe(true);
    });

    it('narrowing a grant keeps the allowed scopes and revokes every token issued under it; no scope left revokes the grant', async () => {
      const grant = aGrant({ scopes: ['tickets:read', 'finance:read'] });
      const empty = aGrant();
      await store.grants.create(grant);
      await store.grants.create(empty);
      const tokens = [aToken(grant), aToken(grant, { kind: 'access' })];
      await store.tokens.insert([...tokens, aToken(empty, { kind: 'access' })]);
      const narrowed = await store.scim.narrowGrant(grant.id, ['tickets:read'], T0 + 5);
      expect(narrowed.grantRevoked).toBe(false);
      expect(narrowed.tokenHashes.sort()).toEqual(tokens.map((t) => t.hash).sort());
      expect(await store.grants.get(grant.id)).toMatchObject({ scopes: ['tickets:read'], scopeConsentedAt: { 'tickets:read': T0 }, revokedAt: null });
      const gone = await store.scim.narrowGrant(empty.id, [], T0 + 5);
      expect(gone).toMatchObject({ grantRevoked: true });
      expect(gone.tokenHashes).toHaveLength(1);
      expect((await store.grants.get(empty.id))?.revokedAt).toBe(T0 + 5);
    });
  });
}
