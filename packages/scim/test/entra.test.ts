/**
 * Requests shaped exactly as Microsoft Entra ID's provisioning service
 * sends them (Microsoft Learn, "Develop a SCIM endpoint" request examples,
 * and its SCIM compliance known issues: capitalised ops, `"False"` as a
 * string boolean, members removed by value list, path filters into
 * multi-valued attributes, `members eq` in a filter), on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres } from '@gatehouse-auth/store/testing';
import { json, scimHarness, type ScimHarness } from './support.ts';

const postgres = await requirePostgres('@gatehouse-auth/scim Entra ID requests on PostgreSQL');
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const entraUser = (userName: string, email: string, externalId: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId,
  userName,
  active: true,
  emails: [{ primary: true, type: 'work', value: email }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !postgres)(`Entra ID provisioning (${engine})`, () => {
    let h: ScimHarness;
    beforeAll(async () => {
      h = await scimHarness(engine);
    });
    afterAll(() => h.close());

    const provision = async (suffix: string) => {
      const userName = `Test_User_${suffix}`;
      const res = await h.scim('POST', 'Users', entraUser(userName, `${userName}@testuser.com`, `0a21f0f2-${suffix}`));
      expect(res.status).toBe(201);
      return json(res);
    };

    it('Entra create with the enterprise extension; lookup by userName and by externalId filters', async () => {
      const user = await provision('ab6490ee');
      expect(user).toMatchObject({
        userName: 'Test_User_ab6490ee',
        externalId: '0a21f0f2-ab6490ee',
        active: true,
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        emails: [{ primary: true, type: 'work', value: 'Test_User_ab6490ee@testuser.com' }],
        meta: { resourceType: 'User', location: `https://gatehouse.acme.test/scim/v2/acme/Users/${user.id}` },
      });
      expect(await h.store.users.get(user.id)).toMatchObject({ email: 'test_user_ab6490ee@testuser.com', name: 'givenName familyName' });
      const byName = await json(await h.scim('GET', `Users?filter=${encodeURIComponent('userName eq "Test_User_ab6490ee"')}`));
      expect(byName.Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
      const byExternal = await json(await h.scim('GET', `Users?filter=${encodeURIComponent('externalId eq "0a21f0f2-ab6490ee"')}`));
      expect(byExternal.totalResults).toBe(1);
      // externalId is caseExact (RFC 7643 §3.1).
      const wrongCase = await json(await h.scim('GET', `Users?filter=${encodeURIComponent('externalId eq "0A21F0F2-AB6490EE"')}`));
      expect(wrongCase.totalResults).toBe(0);
    });

    it('Entra PATCH with Replace, a path filter into emails and a sub-attribute path', async () => {
      const user = await provision('multi0001');
      const res = await h.scim('PATCH', `Users/${user.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'R&D' },
        ],
      });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }]);
      expect(body.name.familyName).toBe('updatedFamilyName');
      expect(body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ department: 'R&D' });
      // The directory created the account: its email follows.
      expect((await h.store.users.get(user.id))?.email).toBe('updatedemail@microsoft.com');
    });

    it('Entra disable with the string boolean "False" (known issue) deactivates and revokes like a boolean', async () => {
      const user = await provision('disable01');
      const held = await h.live(user.id);
      const res = await h.scim('PATCH', `Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      expect(res.status).toBe(200);
      expect((await json(res)).active).toBe(false);
      expect((await h.store.tokens.get(held.access.hash))?.revokedAt).not.toBeNull();
      expect((await h.store.tokens.get(held.refresh.hash))?.revokedAt).not.toBeNull();
      expect(await h.store.orgs.getMembership(user.id, h.acme.id)).toBeUndefined();
      const listed = await json(await h.scim('GET', `Users?filter=${encodeURIComponent('userName eq "Test_User_disable01"')}`));
      expect(listed.Resources[0].active).toBe(false);
      // And the RFC's boolean form.
      const on = await h.scim('PATCH', `Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: true }] });
      expect((await json(on)).active).toBe(true);
      const off = await h.scim('PATCH', `Users/${user.id}`, { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: [PATCH_OP] });
      expect((await json(off)).active).toBe(false);
    });

    it('Entra groups: create, lookup without members, Add members, membership check with members eq, Remove by value list, rename', async () => {
      const user = await provision('groupie01');
      const created = await h.scim('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'Engineering',
        meta: { resourceType: 'Group' },
      });
      expect(created.status).toBe(201);
      const group = await json(created);
      const lookup = await json(await h.scim('GET', `Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Engineering"')}`));
      expect(lookup.totalResults).toBe(1);
      expect(lookup.Resources[0]).toMatchObject({ id: group.id, displayName: 'Engineering', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' });
      expect(lookup.Resources[0]).not.toHaveProperty('members');

      const add = await h.scim('PATCH', `Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ name: 'addMember', op: 'Add', path: 'members', value: [{ $ref: null, value: user.id }] }],
      });
      expect(add.status).toBe(200);
      expect((await h.store.orgs.getMembership(user.id, h.acme.id))?.roles).toEqual(['Engineer']);
      const check = await json(await h.scim('GET', `Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${group.id}" and members eq "${user.id}"`)}`));
      expect(check.totalResults).toBe(1);

      const held = await h.live(user.id);
      const remove = await h.scim('PATCH', `Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ name: 'removeMember', op: 'Remove', path: 'members', value: [{ $ref: null, value: user.id }] }],
      });
      expect(remove.status).toBe(200);
      expect((await h.store.orgs.getMembership(user.id, h.acme.id))?.roles).toEqual(['Employee']);
      expect((await h.store.tokens.get(held.access.hash))?.revokedAt).not.toBeNull();
      const none = await json(await h.scim('GET', `Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${group.id}" and members eq "${user.id}"`)}`));
      expect(none.totalResults).toBe(0);

      const renamed = await h.scim('PATCH', `Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Engineering (renamed)' }] });
      expect(renamed.status).toBe(200);
      expect((await json(renamed)).displayName).toBe('Engineering (renamed)');
    });

    it('Entra delete: 204, then 404, and the membership and tokens are gone', async () => {
      const user = await provision('delete001');
      const held = await h.live(user.id);
      expect((await h.scim('DELETE', `Users/${user.id}`)).status).toBe(204);
      expect((await h.scim('GET', `Users/${user.id}`)).status).toBe(404);
      expect(await h.store.orgs.getMembership(user.id, h.acme.id)).toBeUndefined();
      expect((await h.store.tokens.get(held.refresh.hash))?.revokedAt).not.toBeNull();
      expect((await h.store.grants.get(held.grant.id))?.revokedAt).not.toBeNull();
    });
  });
}
