/**
 * Requests shaped exactly as Okta's SCIM 2.0 client sends them (Okta
 * developer docs, "SCIM 2.0 reference": the userName lookup before create,
 * create with a password we must not keep, PATCH replace {active:false}
 * without a path, group push with add/remove by value filter, rename by
 * replace with the id in the value, delete), on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres } from '@gatehouse-auth/store/testing';
import { ENGINEERING_ONLY, EVERYONE, json, scimHarness, type ScimHarness } from './support.ts';

const postgres = await requirePostgres('@gatehouse-auth/scim Okta requests on PostgreSQL');
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const oktaUser = (email: string, externalId: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: email,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: email, type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId,
  groups: [],
  password: '1mz050nq',
  active: true,
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !postgres)(`Okta provisioning (${engine})`, () => {
    let h: ScimHarness;
    beforeAll(async () => {
      h = await scimHarness(engine);
    });
    afterAll(() => h.close());

    const provision = async (email: string) => {
      const lookup = await h.scim('GET', `Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`);
      expect(lookup.status).toBe(200);
      expect(await json(lookup)).toMatchObject({ totalResults: 0, Resources: [] });
      const created = await h.scim('POST', 'Users', oktaUser(email, `00u${email.length}okta`));
      expect(created.status).toBe(201);
      return { response: created, body: await json(created) };
    };

    it('Okta create: looks the userName up, creates the person as an Employee member, keeps no password', async () => {
      const { response, body } = await provision('test.user@okta.local');
      expect(response.headers.get('content-type')).toBe('application/scim+json');
      expect(response.headers.get('location')).toBe(`https://gatehouse.acme.test/scim/v2/acme/Users/${body.id}`);
      expect(response.headers.get('etag')).toBe('W/"1"');
      expect(body).toMatchObject({ userName: 'test.user@okta.local', active: true, externalId: '00u20okta', displayName: 'Test User', meta: { resourceType: 'User', version: 'W/"1"' } });
      expect(body).not.toHaveProperty('password');
      const user = await h.store.users.get(body.id);
      expect(user).toMatchObject({ email: 'test.user@okta.local', name: 'Test User', passwordHash: null, status: 'active' });
      expect((await h.store.orgs.getMembership(body.id, h.acme.id))?.roles).toEqual(['Employee']);
      expect(JSON.stringify(await h.store.scim.getUser(h.acme.id, body.id))).not.toContain('1mz050nq');
      const again = await h.scim('GET', `Users?filter=${encodeURIComponent('userName eq "TEST.USER@okta.local"')}&startIndex=1&count=100`);
      expect((await json(again)).Resources.map((r: { id: string }) => r.id)).toEqual([body.id]);
    });

    it('Okta deactivate (PATCH replace {active:false}, no path) revokes the grant, both tokens and the login session at once, with the directory as actor', async () => {
      const { body } = await provision('leaver@okta.local');
      const held = await h.live(body.id);
      const mark = h.events.length;
      const res = await h.scim('PATCH', `Users/${body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ id: body.id, active: false, meta: { version: 'W/"2"' } });
      expect((await h.store.tokens.get(held.access.hash))?.revokedAt).not.toBeNull();
      expect((await h.store.tokens.get(held.refresh.hash))?.revokedAt).not.toBeNull();
      expect((await h.store.grants.get(held.grant.id))?.revokedAt).not.toBeNull();
      expect((await h.store.sessions.get(held.sessionId))?.revokedAt).not.toBeNull();
      expect(await h.store.orgs.getMembership(body.id, h.acme.id)).toBeUndefined();
      // The directory created this account and it belongs to no other org: it is disabled too.
      expect((await h.store.users.get(body.id))?.status).toBe('disabled');
      const after = h.events.slice(mark);
      const revoked = after.find((e) => e.type === 'grant.revoked');
      expect(revoked).toMatchObject({ grantId: held.grant.id, actor: { kind: 'directory', id: 'scim:acme' } });
      expect((revoked as { tokenHashes: string[] }).tokenHashes.sort()).toEqual([held.access.hash, held.refresh.hash].sort());
      expect(after.map((e) => e.type)).toEqual(expect.arrayContaining(['membership.removed', 'grant.revoked', 'user.disabled']));
      for (const event of after) expect(event).toMatchObject({ actor: { kind: 'directory', id: 'scim:acme' } });
      // Reactivation gives the membership back (not the revoked tokens).
      const back = await h.scim('PATCH', `Users/${body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
      expect(back.status).toBe(200);
      expect((await h.store.users.get(body.id))?.status).toBe('active');
      expect((await h.store.orgs.getMembership(body.id, h.acme.id))?.roles).toEqual(['Employee']);
      expect((await h.store.tokens.get(held.refresh.hash))?.revokedAt).not.toBeNull();
    });

    it('Okta group push: add members gives the mapped role; remove by members[value eq] takes it away and narrows the grant at once', async () => {
      const { body: user } = await provision('engineer@okta.local');
      const group = await h.scim('POST', 'Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering', members: [] });
      expect(group.status).toBe(201);
      const { id: groupId } = await json(group);
      const add = await h.scim('PATCH', `Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: user.id, display: 'engineer@okta.local' }] }],
      });
      expect(add.status).toBe(200);
      expect((await json(add)).members).toEqual([expect.objectContaining({ value: user.id, display: 'engineer@okta.local' })]);
      expect((await h.store.orgs.getMembership(user.id, h.acme.id))?.roles).toEqual(['Engineer']);
      const member = await json(await h.scim('GET', `Users/${user.id}`));
      expect(member.groups).toEqual([expect.objectContaining({ value: groupId, display: 'Engineering' })]);

      const held = await h.live(user.id);
      const remove = await h.scim('PATCH', `Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }] });
      expect(remove.status).toBe(200);
      expect((await json(remove)).members ?? []).toEqual([]);
      expect((await h.store.orgs.getMembership(user.id, h.acme.id))?.roles).toEqual(['Employee']);
      // The grant keeps only what an Employee may grant; the tokens that carried code:write are dead.
      expect((await h.store.grants.get(held.grant.id))?.scopes).toEqual([EVERYONE]);
      expect((await h.store.grants.get(held.grant.id))?.scopes).not.toContain(ENGINEERING_ONLY);
      expect((await h.store.tokens.get(held.access.hash))?.revokedAt).not.toBeNull();
      expect((await h.store.tokens.get(held.refresh.hash))?.revokedAt).not.toBeNull();
      const revoked = h.events.filter((e) => e.type === 'token.revoked' && e.tokenHashes.includes(held.access.hash));
      expect(revoked).toEqual([expect.objectContaining({ reason: 'membership_changed', actor: { kind: 'directory', id: 'scim:acme' } })]);
      expect((await h.scim('DELETE', `Groups/${groupId}`)).status).toBe(204);
    });

    it('Okta rename (replace with the id in the value) and delete: members follow the mapping of the group they are in', async () => {
      const { body: user } = await provision('renamed@okta.local');
      const { id: groupId } = await json(await h.scim('POST', 'Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Eng (old)', members: [{ value: user.id }] }));
      expect((await h.store.orgs.getMembership(user.id, h.acme.id))?.roles).toEqual(['Employee']);
      const renamed = await h.scim('PATCH', `Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Engineering' } }] });
      expect(renamed.status).toBe(200);
      expect(await json(renamed)).toMatchObject({ id: groupId, displayName: 'Engineering' });
      expect((await h.store.orgs.getMembership(user.id, h.acme.id))?.roles).toEqual(['Engineer']);
      const deleted = await h.scim('DELETE', `Groups/${groupId}`);
      expect(deleted.status).toBe(204);
      expect((await h.scim('GET', `Groups/${groupId}`)).status).toBe(404);
      expect((await h.store.orgs.getMembership(user.id, h.acme.id))?.roles).toEqual(['Employee']);
    });

    it('Okta profile update by PUT with the full user, then DELETE: the person is gone from the org', async () => {
      const { body: user } = await provision('put.user@okta.local');
      const put = await h.scim('PUT', `Users/${user.id}`, { ...user, name: { givenName: 'Put', familyName: 'User' }, displayName: 'Put User' });
      expect(put.status).toBe(200);
      expect(await json(put)).toMatchObject({ displayName: 'Put User', name: { givenName: 'Put', familyName: 'User' }, meta: { version: 'W/"2"' } });
      expect((await h.store.users.get(user.id))?.name).toBe('Put User');
      const held = await h.live(user.id);
      const deleted = await h.scim('DELETE', `Users/${user.id}`);
      expect(deleted.status).toBe(204);
      expect((await h.scim('GET', `Users/${user.id}`)).status).toBe(404);
      expect(await h.store.orgs.getMembership(user.id, h.acme.id)).toBeUndefined();
      expect((await h.store.tokens.get(held.refresh.hash))?.revokedAt).not.toBeNull();
      expect((await h.store.users.get(user.id))?.status).toBe('disabled');
    });
  });
}
