/**
 * RFC 7644 protocol rules the directories rely on: bearer authentication
 * per org, SCIM error bodies, discovery, filters and paging, ETags and
 * If-Match, uniqueness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, scimHarness, type ScimHarness } from './support.ts';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('SCIM 2.0 protocol (RFC 7644)', () => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness('sqlite');
  });
  afterAll(() => h.close());

  const create = async (userName: string, extra: Record<string, unknown> = {}) => {
    const res = await h.scim('POST', 'Users', { schemas: [USER], userName, emails: [{ value: userName, primary: true }], ...extra });
    expect(res.status).toBe(201);
    return json(res);
  };

  describe('authentication', () => {
    it('RFC 7644 §2: no token, a wrong token and another org’s token all get the same 401 SCIM error', async () => {
      for (const [token, org] of [
        [null, 'acme'],
        ['ghscim_wrong', 'acme'],
        [h.tokens.globex, 'acme'],
        [h.tokens.acme, 'nonexistent'],
      ] as const) {
        const res = await h.scim('GET', 'Users', undefined, { token, org });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="scim"');
        expect(res.headers.get('content-type')).toBe('application/scim+json');
        expect(await json(res)).toEqual({ schemas: [ERROR], status: '401', detail: 'A valid SCIM token for this organization is required.' });
      }
    });

    it('each org sees only what its own directory provisioned', async () => {
      const user = await create('only.acme@acme.test');
      const fromGlobex = await h.scim('GET', `Users/${user.id}`, undefined, { token: h.tokens.globex, org: 'globex' });
      expect(fromGlobex.status).toBe(404);
      expect(await json(fromGlobex)).toMatchObject({ schemas: [ERROR], status: '404' });
      const list = await json(await h.scim('GET', 'Users', undefined, { token: h.tokens.globex, org: 'globex' }));
      expect(list.totalResults).toBe(0);
      const deleting = await h.scim('DELETE', `Users/${user.id}`, undefined, { token: h.tokens.globex, org: 'globex' });
      expect(deleting.status).toBe(404);
      expect(await h.store.orgs.getMembership(user.id, h.acme.id)).toBeDefined();
    });
  });

  describe('discovery (RFC 7644 §4)', () => {
    it('serves ServiceProviderConfig, ResourceTypes and Schemas as application/scim+json', async () => {
      const config = await h.scim('GET', 'ServiceProviderConfig');
      expect(config.headers.get('content-type')).toBe('application/scim+json');
      expect(await json(config)).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, etag: { supported: true }, bulk: { supported: false } });
      const types = await json(await h.scim('GET', 'ResourceTypes'));
      expect(types.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
      expect(await json(await h.scim('GET', 'ResourceTypes/Group'))).toMatchObject({ endpoint: '/Groups' });
      const schemas = await json(await h.scim('GET', 'Schemas'));
      expect(schemas.Resources.map((r: { id: string }) => r.id)).toEqual([USER, 'urn:ietf:params:scim:schemas:core:2.0:Group']);
      expect((await h.scim('GET', `Schemas/${USER}`)).status).toBe(200);
      const missing = await h.scim('GET', 'Schemas/urn:nope');
      expect(missing.status).toBe(404);
      expect(await json(missing)).toMatchObject({ schemas: [ERROR], status: '404' });
    });

    it('an unknown endpoint under the org answers a SCIM 404, not the server’s OAuth-shaped one', async () => {
      const res = await h.scim('GET', 'Bulk');
      expect(res.status).toBe(404);
      expect(await json(res)).toMatchObject({ schemas: [ERROR], status: '404' });
    });
  });

  describe('filters and paging (RFC 7644 §3.4.2)', () => {
    beforeAll(async () => {
      await create('f.alpha@filter.test', { displayName: 'Alpha One', title: 'Engineer' });
      await create('f.beta@filter.test', { displayName: 'Beta Two' });
      await create('f.gamma@other.test', { displayName: 'Gamma Three', title: 'Manager' });
    });
    const names = async (filter: string, extra = '') => {
      const res = await h.scim('GET', `Users?filter=${encodeURIComponent(filter)}${extra}`);
      expect(res.status).toBe(200);
      return (await json(res)).Resources.map((r: { userName: string }) => r.userName).sort();
    };

    it('eq (case-insensitive on userName), co, sw, pr, and, or', async () => {
      expect(await names('userName eq "F.ALPHA@filter.test"')).toEqual(['f.alpha@filter.test']);
      expect(await names('userName co "@filter.test"')).toEqual(['f.alpha@filter.test', 'f.beta@filter.test']);
      expect(await names('userName sw "f.g"')).toEqual(['f.gamma@other.test']);
      expect(await names('title pr and userName sw "f."')).toEqual(['f.alpha@filter.test', 'f.gamma@other.test']);
      expect(await names('displayName eq "Beta Two" or title eq "Manager"')).toEqual(['f.beta@filter.test', 'f.gamma@other.test']);
      expect(await names('emails[value co "other.test"]')).toEqual(['f.gamma@other.test']);
    });

    it('startIndex is 1-based and count bounds the page; totalResults counts every match', async () => {
      const page = await json(await h.scim('GET', `Users?filter=${encodeURIComponent('userName sw "f."')}&startIndex=2&count=1`));
      expect(page).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 3, startIndex: 2, itemsPerPage: 1 });
      expect(page.Resources).toHaveLength(1);
      const empty = await json(await h.scim('GET', `Users?filter=${encodeURIComponent('userName sw "f."')}&startIndex=10&count=5`));
      expect(empty).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
      const zero = await json(await h.scim('GET', 'Users?count=0'));
      expect(zero.itemsPerPage).toBe(0);
      expect(zero.totalResults).toBeGreaterThan(0);
    });

    it('RFC 7644 §3.4.2.2: a filter that does not parse is 400 invalidFilter', async () => {
      const res = await h.scim('GET', `Users?filter=${encodeURIComponent('userName eq')}`);
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
    });
  });

  describe('versions (RFC 7644 §3.14)', () => {
    it('If-Match with a stale version is refused with 412 and changes nothing; the current one succeeds', async () => {
      const user = await create('etag@acme.test');
      expect(user.meta.version).toBe('W/"1"');
      const ok = await h.scim('PUT', `Users/${user.id}`, { ...user, displayName: 'First' }, { headers: { 'if-match': 'W/"1"' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).toBe('W/"2"');
      const stale = await h.scim('PUT', `Users/${user.id}`, { ...user, displayName: 'Lost update' }, { headers: { 'if-match': 'W/"1"' } });
      expect(stale.status).toBe(412);
      expect(await json(stale)).toMatchObject({ schemas: [ERROR], status: '412' });
      const now = await json(await h.scim('GET', `Users/${user.id}`));
      expect(now).toMatchObject({ displayName: 'First', meta: { version: 'W/"2"' } });
      const staleDelete = await h.scim('DELETE', `Users/${user.id}`, undefined, { headers: { 'if-match': 'W/"1"' } });
      expect(staleDelete.status).toBe(412);
      expect((await h.scim('GET', `Users/${user.id}`)).status).toBe(200);
    });
  });

  describe('bad input', () => {
    it('RFC 7643 §4.1: a second user with the same userName (any case) is 409 uniqueness', async () => {
      await create('unique@acme.test');
      const res = await h.scim('POST', 'Users', { schemas: [USER], userName: 'UNIQUE@acme.test' });
      expect(res.status).toBe(409);
      expect(await json(res)).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    });

    it('a body that is not JSON is 400 invalidSyntax; a user without userName is 400 invalidValue; nothing is written', async () => {
      const before = (await h.store.scim.listUsers(h.acme.id)).length;
      const broken = await h.scim('POST', 'Users', undefined, { headers: { 'content-type': 'application/scim+json' } });
      expect(broken.status).toBe(400);
      expect(await json(broken)).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
      const nameless = await h.scim('POST', 'Users', { schemas: [USER], emails: [{ value: 'x@acme.test' }] });
      expect(nameless.status).toBe(400);
      expect(await json(nameless)).toMatchObject({ status: '400', scimType: 'invalidValue' });
      expect((await h.store.scim.listUsers(h.acme.id)).length).toBe(before);
    });

    it('a PATCH that is not a PatchOp message, or has an unknown op, is 400 and changes nothing', async () => {
      const user = await create('patchy@acme.test');
      const noSchema = await h.scim('PATCH', `Users/${user.id}`, { Operations: [{ op: 'replace', value: { active: false } }] });
      expect(noSchema.status).toBe(400);
      expect(await json(noSchema)).toMatchObject({ scimType: 'invalidSyntax' });
      const badOp = await h.scim('PATCH', `Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'merge', value: { active: false } }] });
      expect(badOp.status).toBe(400);
      expect((await json(await h.scim('GET', `Users/${user.id}`))).active).toBe(true);
    });

    it('a replace that would give the account another account’s email is 409 and writes neither the record nor the account', async () => {
      await create('taken@acme.test');
      const user = await create('mover@acme.test');
      const res = await h.scim('PUT', `Users/${user.id}`, { schemas: [USER], userName: 'mover@acme.test', displayName: 'Renamed', emails: [{ value: 'taken@acme.test', primary: true }] });
      expect(res.status).toBe(409);
      expect(await json(res)).toMatchObject({ status: '409', scimType: 'uniqueness' });
      const after = await json(await h.scim('GET', `Users/${user.id}`));
      expect(after).toMatchObject({ meta: { version: 'W/"1"' }, emails: [{ value: 'mover@acme.test', primary: true }] });
      expect(after.displayName).toBeUndefined();
      expect((await h.store.users.get(user.id))?.email).toBe('mover@acme.test');
    });

    it('a group naming someone this directory did not provision is 400 invalidValue', async () => {
      const outsider = await create('outsider@globex.test');
      const res = await h.scim('POST', 'Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sneaky', members: [{ value: 'usr_not_ours' }, { value: outsider.id }] });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ status: '400', scimType: 'invalidValue' });
    });
  });
});
