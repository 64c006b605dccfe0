/**
 * Issue 13 item 4, the edges of "deprovisioning is a revocation": what a
 * directory may and may not take away. A linked account (it existed before
 * the directory) loses only this org; another org's tokens survive; a
 * role lost through a group narrows grants without touching what the
 * remaining roles allow; concurrent group writes are all kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@gatehouse-auth/core';
import { EVERYONE, json, scimHarness, type ScimHarness } from './support.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('deprovisioning semantics', () => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness('sqlite');
  });
  afterAll(() => h.close());

  const deactivate = (id: string) => h.scim('PATCH', `Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });

  it('an account that existed before is linked by email: deactivation removes it from this org only, never disables it, and the directory cannot re-address it', async () => {
    const now = Date.now();
    const existing = { id: newId('usr'), email: 'carol@shared.test', name: 'Carol', passwordHash: null, status: 'active' as const, createdAt: now, updatedAt: now };
    await h.store.users.create(existing);
    await h.store.orgs.upsertMembership({ userId: existing.id, orgId: h.globex.id, roles: ['Employee'], createdAt: now, updatedAt: now });
    const created = await h.scim('POST', 'Users', { schemas: [USER], userName: 'Carol@Shared.test', emails: [{ value: 'carol@shared.test', primary: true }] });
    expect(created.status).toBe(201);
    const carol = await json(created);
    expect(carol.id).toBe(existing.id);
    expect((await h.store.orgs.getMembership(existing.id, h.acme.id))?.roles).toEqual(['Employee']);

    const renamed = await h.scim('PUT', `Users/${carol.id}`, { schemas: [USER], userName: 'Carol@Shared.test', displayName: 'Mallory', emails: [{ value: 'mallory@evil.test', primary: true }] });
    expect(renamed.status).toBe(200);
    expect(await h.store.users.get(existing.id)).toMatchObject({ email: 'carol@shared.test', name: 'Carol' });

    const acmeHeld = await h.live(existing.id);
    expect((await deactivate(carol.id)).status).toBe(200);
    expect(await h.store.orgs.getMembership(existing.id, h.acme.id)).toBeUndefined();
    expect((await h.store.tokens.get(acmeHeld.refresh.hash))?.revokedAt).not.toBeNull();
    expect(await h.store.orgs.getMembership(existing.id, h.globex.id)).toBeDefined();
    expect((await h.store.users.get(existing.id))?.status).toBe('active');
  });

  it('a person in two orgs deprovisioned in one keeps the other org’s tokens', async () => {
    const created = await json(await h.scim('POST', 'Users', { schemas: [USER], userName: 'dual@acme.test' }));
    const now = Date.now();
    await h.store.orgs.upsertMembership({ userId: created.id, orgId: h.globex.id, roles: ['Employee'], createdAt: now, updatedAt: now });
    const acme = await h.live(created.id);
    // The same person's grant and token in globex: acme's directory must leave them alone.
    const globexGrant = { ...acme.grant, id: newId('grt'), orgId: h.globex.id };
    await h.store.grants.create(globexGrant);
    const globexToken = { ...acme.access, hash: `${acme.access.hash}g`, grantId: globexGrant.id, orgId: h.globex.id };
    await h.store.tokens.insert([globexToken]);

    expect((await deactivate(created.id)).status).toBe(200);
    expect((await h.store.tokens.get(acme.access.hash))?.revokedAt).not.toBeNull();
    expect((await h.store.tokens.get(globexToken.hash))?.revokedAt).toBeNull();
    expect((await h.store.grants.get(globexGrant.id))?.revokedAt).toBeNull();
    // Still in globex: the account the directory created is not disabled.
    expect((await h.store.users.get(created.id))?.status).toBe('active');
  });

  it('a role lost through a group keeps the grants the remaining roles allow untouched', async () => {
    const user = await json(await h.scim('POST', 'Users', { schemas: [USER], userName: 'narrow@acme.test' }));
    const group = await json(await h.scim('POST', 'Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: user.id }] }));
    const wide = await h.live(user.id);
    const now = Date.now();
    const routine = { ...wide.grant, id: newId('grt'), clientId: newId('cli'), scopes: [EVERYONE], scopeConsentedAt: { [EVERYONE]: now } };
    await h.store.grants.create(routine);
    const routineToken = { ...wide.access, hash: `${wide.access.hash}r`, grantId: routine.id, clientId: routine.clientId, scopes: [EVERYONE] };
    await h.store.tokens.insert([routineToken]);

    const removed = await h.scim('PATCH', `Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }] });
    expect(removed.status).toBe(200);
    expect((await h.store.grants.get(wide.grant.id))?.scopes).toEqual([EVERYONE]);
    expect((await h.store.tokens.get(wide.access.hash))?.revokedAt).not.toBeNull();
    expect((await h.store.grants.get(routine.id))?.scopes).toEqual([EVERYONE]);
    expect((await h.store.tokens.get(routineToken.hash))?.revokedAt).toBeNull();
    expect((await h.scim('DELETE', `Groups/${group.id}`)).status).toBe(204);
  });

  it('eight concurrent membership PATCHes without If-Match are all kept (each write is retried on the newer version)', async () => {
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await json(await h.scim('POST', 'Users', { schemas: [USER], userName: `burst${i}@acme.test` })));
    const group = await json(await h.scim('POST', 'Groups', { schemas: [GROUP], displayName: 'Burst', members: [] }));
    const answers = await Promise.all(people.map((p) => h.scim('PATCH', `Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: p.id }] }] })));
    expect(answers.map((a) => a.status)).toEqual(people.map(() => 200));
    const stored = await h.store.scim.getGroup(h.acme.id, group.id);
    expect(stored?.members.sort()).toEqual(people.map((p) => p.id).sort());
    expect(stored?.version).toBe(1 + people.length);
  });
});
