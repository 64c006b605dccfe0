import { describe, expect, it } from 'vitest';
import { DuplicateError } from '@gatehouse-auth/store';
import { aUser, anOrg, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function accountsSuite(ctx: SuiteContext): void {
  describe('users', () => {
    it('stores the email lower-cased and finds it case-insensitively', async () => {
      const user = aUser({ email: 'Grace.Hopper@Example.COM' });
      await ctx.store.users.create(user);
      expect(await ctx.store.users.get(user.id)).toEqual({ ...user, email: 'grace.hopper@example.com' });
      expect((await ctx.store.users.getByEmail('GRACE.HOPPER@example.com'))?.id).toBe(user.id);
    });

    it('rejects a second user with the same email in another case with DuplicateError', async () => {
      const user = aUser({ email: 'dup@example.com' + Math.random().toString(36).slice(2) });
      await ctx.store.users.create(user);
      await expect(ctx.store.users.create(aUser({ email: user.email.toUpperCase() }))).rejects.toBeInstanceOf(DuplicateError);
    });

    it('rejects a duplicate user id with DuplicateError', async () => {
      const user = aUser();
      await ctx.store.users.create(user);
      await expect(ctx.store.users.create(aUser({ id: user.id }))).rejects.toBeInstanceOf(DuplicateError);
    });

    it('updates name, email (lower-cased) and password hash, and stamps updatedAt', async () => {
      const user = aUser();
      await ctx.store.users.create(user);
      const updated = await ctx.store.users.update(user.id, { name: 'Ada King', email: 'ADA.King@Example.com', passwordHash: null }, T0 + 5);
      expect(updated).toEqual({ ...user, name: 'Ada King', email: 'ada.king@example.com', passwordHash: null, updatedAt: T0 + 5 });
      expect(await ctx.store.users.get(user.id)).toEqual(updated);
    });

    it('leaves unspecified fields alone on update', async () => {
      const user = aUser();
      await ctx.store.users.create(user);
      expect(await ctx.store.users.update(user.id, { name: 'Only Name' }, T0 + 1)).toEqual({ ...user, name: 'Only Name', updatedAt: T0 + 1 });
    });

    it('returns undefined when updating or disabling an unknown user', async () => {
      expect(await ctx.store.users.update('usr_missing', { name: 'x' }, T0)).toBeUndefined();
      expect(await ctx.store.users.setStatus('usr_missing', 'disabled', T0)).toBeUndefined();
      expect(await ctx.store.users.get('usr_missing')).toBeUndefined();
      expect(await ctx.store.users.getByEmail('nobody@example.com')).toBeUndefined();
    });

    it('disables and re-enables a user', async () => {
      const user = aUser();
      await ctx.store.users.create(user);
      expect((await ctx.store.users.setStatus(user.id, 'disabled', T0 + 1))?.status).toBe('disabled');
      expect((await ctx.store.users.get(user.id))?.status).toBe('disabled');
      expect((await ctx.store.users.setStatus(user.id, 'active', T0 + 2))?.status).toBe('active');
    });

    it('lists every user', async () => {
      const store = await ctx.fresh();
      const users = [aUser({ createdAt: T0 }), aUser({ createdAt: T0 + 1 })];
      for (const user of users) await store.users.create(user);
      expect(await store.users.list()).toEqual(users);
    });
  });

  describe('organizations and memberships', () => {
    it('creates an organization and finds it by id and slug', async () => {
      const org = anOrg({ auditRetentionDays: 365 });
      await ctx.store.orgs.create(org);
      expect(await ctx.store.orgs.get(org.id)).toEqual(org);
      expect(await ctx.store.orgs.getBySlug(org.slug)).toEqual(org);
      expect(await ctx.store.orgs.getBySlug('no-such-slug')).toBeUndefined();
    });

    it('rejects a duplicate slug with DuplicateError', async () => {
      const org = anOrg();
      await ctx.store.orgs.create(org);
      await expect(ctx.store.orgs.create(anOrg({ slug: org.slug }))).rejects.toBeInstanceOf(DuplicateError);
    });

    it('updates name and audit retention (including back to forever)', async () => {
      const org = anOrg({ auditRetentionDays: 30 });
      await ctx.store.orgs.create(org);
      expect(await ctx.store.orgs.update(org.id, { name: 'Acme Corp' }, T0 + 1)).toEqual({ ...org, name: 'Acme Corp', updatedAt: T0 + 1 });
      expect((await ctx.store.orgs.update(org.id, { auditRetentionDays: null }, T0 + 2))?.auditRetentionDays).toBeNull();
      expect(await ctx.store.orgs.update('org_missing', { name: 'x' }, T0)).toBeUndefined();
    });

    it('lists organizations', async () => {
      const store = await ctx.fresh();
      const orgs = [anOrg({ slug: 'a-org' }), anOrg({ slug: 'b-org' })];
      for (const org of orgs.toReversed()) await store.orgs.create(org);
      expect(await store.orgs.list()).toEqual(orgs);
    });

    it('upserting a membership replaces its roles and keeps its createdAt', async () => {
      const user = aUser();
      const org = anOrg();
      await ctx.store.users.create(user);
      await ctx.store.orgs.create(org);
      await ctx.store.orgs.upsertMembership({ userId: user.id, orgId: org.id, roles: ['Engineering'], createdAt: T0, updatedAt: T0 });
      await ctx.store.orgs.upsertMembership({ userId: user.id, orgId: org.id, roles: ['Management', 'Finance'], createdAt: T0 + 9, updatedAt: T0 + 9 });
      expect(await ctx.store.orgs.getMembership(user.id, org.id)).toEqual({
        userId: user.id,
        orgId: org.id,
        roles: ['Management', 'Finance'],
        createdAt: T0,
        updatedAt: T0 + 9,
      });
    });

    it('lists memberships of a user and members of an org, and removes one', async () => {
      const [ada, bob] = [aUser(), aUser()];
      const [acme, globex] = [anOrg(), anOrg()];
      for (const u of [ada, bob]) await ctx.store.users.create(u);
      for (const o of [acme, globex]) await ctx.store.orgs.create(o);
      const m = (userId: string, orgId: string) => ({ userId, orgId, roles: ['Support'], createdAt: T0, updatedAt: T0 });
      await ctx.store.orgs.upsertMembership(m(ada.id, acme.id));
      await ctx.store.orgs.upsertMembership(m(ada.id, globex.id));
      await ctx.store.orgs.upsertMembership(m(bob.id, acme.id));
      expect((await ctx.store.orgs.listMembershipsOfUser(ada.id)).map((x) => x.orgId).sort()).toEqual([acme.id, globex.id].sort());
      expect((await ctx.store.orgs.listMembers(acme.id)).map((x) => x.userId).sort()).toEqual([ada.id, bob.id].sort());
      expect(await ctx.store.orgs.removeMembership(ada.id, acme.id)).toBe(true);
      expect(await ctx.store.orgs.removeMembership(ada.id, acme.id)).toBe(false);
      expect(await ctx.store.orgs.getMembership(ada.id, acme.id)).toBeUndefined();
      expect((await ctx.store.orgs.listMembers(acme.id)).map((x) => x.userId)).toEqual([bob.id]);
    });

    it('refuses a membership for a user that does not exist (foreign keys are on)', async () => {
      const org = anOrg();
      await ctx.store.orgs.create(org);
      await expect(ctx.store.orgs.upsertMembership({ userId: 'usr_ghost', orgId: org.id, roles: [], createdAt: T0, updatedAt: T0 })).rejects.toThrow();
    });
  });
}
