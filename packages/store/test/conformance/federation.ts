import { describe, expect, it } from 'vitest';
import { DuplicateError } from '@gatehouse-auth/store';
import { anOrg, aUser, T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function federationSuite(ctx: SuiteContext): void {
  describe('enterprise sign-in records (issue 13)', () => {
    const orgAndUser = async () => {
      const [org, user] = [anOrg(), aUser()];
      await ctx.store.orgs.create(org);
      await ctx.store.users.create(user);
      return { orgId: org.id, userId: user.id };
    };

    it('links an IdP subject to one account per org and provider, and refuses a second link', async () => {
      const { orgId, userId } = await orgAndUser();
      const link = { orgId, provider: 'okta', subject: 'sub-1', userId, createdAt: T0, lastSignInAt: T0 };
      await ctx.store.federation.linkIdentity(link);
      expect(await ctx.store.federation.findIdentity(orgId, 'okta', 'sub-1')).toEqual(link);
      expect(await ctx.store.federation.findIdentity(orgId, 'other', 'sub-1')).toBeUndefined();
      const intruder = aUser();
      await ctx.store.users.create(intruder);
      await expect(ctx.store.federation.linkIdentity({ ...link, userId: intruder.id })).rejects.toBeInstanceOf(DuplicateError);
      await ctx.store.federation.touchIdentity(orgId, 'okta', 'sub-1', T0 + 5);
      expect((await ctx.store.federation.findIdentity(orgId, 'okta', 'sub-1'))?.lastSignInAt).toBe(T0 + 5);
      expect((await ctx.store.federation.listIdentitiesOfUser(userId)).map((i) => i.subject)).toEqual(['sub-1']);
    });

    it('a domain routes to the org that verified it first; an unverified claim routes nowhere', async () => {
      const [a, b] = [anOrg(), anOrg()];
      await ctx.store.orgs.create(a);
      await ctx.store.orgs.create(b);
      const name = `${a.id.toLowerCase()}.test`;
      await ctx.store.federation.putDomain({ orgId: b.id, name, challenge: 'c-b', verifiedBy: null, verifiedAt: null, createdAt: T0 });
      expect(await ctx.store.federation.verifiedDomain(name)).toBeUndefined();
      await ctx.store.federation.putDomain({ orgId: a.id, name: name.toUpperCase(), challenge: 'c-a', verifiedBy: 'dns', verifiedAt: T0 + 1, createdAt: T0 });
      await ctx.store.federation.putDomain({ orgId: b.id, name, challenge: 'c-b', verifiedBy: 'config', verifiedAt: T0 + 2, createdAt: T0 });
      expect((await ctx.store.federation.verifiedDomain(name))?.orgId).toBe(a.id);
      expect(await ctx.store.federation.getDomain(a.id, name)).toEqual({ orgId: a.id, name, challenge: 'c-a', verifiedBy: 'dns', verifiedAt: T0 + 1, createdAt: T0 });
      expect(await ctx.store.federation.removeDomain(a.id, name)).toBe(true);
      expect((await ctx.store.federation.verifiedDomain(name))?.orgId).toBe(b.id);
      expect((await ctx.store.federation.listDomains(b.id)).map((d) => d.name)).toEqual([name]);
    });

    it('an org never configured maps no group and does not enforce SSO; settings round-trip', async () => {
      const { orgId } = await orgAndUser();
      expect(await ctx.store.federation.getSettings(orgId)).toEqual({ orgId, groupRoles: {}, defaultRoles: [], enforceSso: false, updatedAt: 0 });
      const settings = { orgId, groupRoles: { eng: ['Engineering'] }, defaultRoles: ['Employee'], enforceSso: true, updatedAt: T0 };
      await ctx.store.federation.putSettings(settings);
      await ctx.store.federation.putSettings({ ...settings, updatedAt: T0 + 1 });
      expect(await ctx.store.federation.getSettings(orgId)).toEqual({ ...settings, updatedAt: T0 + 1 });
    });

    it("keeps each org's identity providers apart and replaces one by id", async () => {
      const [{ orgId }, { orgId: otherId }] = [await orgAndUser(), await orgAndUser()];
      const idp = { orgId, id: 'okta', type: 'oidc', source: 'config' as const, settings: { issuer: 'https://idp.test' }, updatedAt: T0 };
      await ctx.store.federation.putProvider(idp);
      await ctx.store.federation.putProvider({ ...idp, source: 'setup_link', settings: { issuer: 'https://idp2.test' }, updatedAt: T0 + 1 });
      expect(await ctx.store.federation.getProvider(orgId, 'okta')).toEqual({ ...idp, source: 'setup_link', settings: { issuer: 'https://idp2.test' }, updatedAt: T0 + 1 });
      expect(await ctx.store.federation.listProviders(otherId)).toEqual([]);
      expect(await ctx.store.federation.getProvider(otherId, 'okta')).toBeUndefined();
      expect(await ctx.store.federation.removeProvider(orgId, 'okta')).toBe(true);
      expect(await ctx.store.federation.listProviders(orgId)).toEqual([]);
    });

    it('keeps setup links by token hash, lists them per org and revokes every live one of an org', async () => {
      const [{ orgId }, { orgId: otherId }] = [await orgAndUser(), await orgAndUser()];
      const link = { tokenHash: `h-${orgId}`, orgId, createdBy: 'user:usr_1', createdAt: T0, expiresAt: T0 + 1000, revokedAt: null };
      await ctx.store.federation.createSetupLink(link);
      await ctx.store.federation.createSetupLink({ ...link, tokenHash: `h2-${orgId}`, createdAt: T0 + 1 });
      await ctx.store.federation.createSetupLink({ ...link, tokenHash: `h-${otherId}`, orgId: otherId });
      expect(await ctx.store.federation.getSetupLink(`h-${orgId}`)).toEqual(link);
      expect(await ctx.store.federation.revokeSetupLinks(orgId, T0 + 5)).toBe(2);
      expect(await ctx.store.federation.revokeSetupLinks(orgId, T0 + 6)).toBe(0);
      expect((await ctx.store.federation.listSetupLinks(orgId)).map((l) => l.revokedAt)).toEqual([T0 + 5, T0 + 5]);
      expect((await ctx.store.federation.getSetupLink(`h-${otherId}`))?.revokedAt).toBeNull();
    });
  });
}
