/**
 * Email-first routing at login (issue 13): an email whose domain is a
 * verified domain of an org with an identity provider signs in there; when
 * that org enforces SSO, never with a password. Unverified domain claims
 * route nowhere (anyone can claim a domain; only its owner can verify it).
 */
import type { Organization } from '@gatehouse-auth/core';
import type { StoredIdentityProvider } from '@gatehouse-auth/store';
import type { ServerContext } from '../context.ts';
import { emailDomain } from './account.ts';

export interface SsoRoute {
  org: Organization;
  providers: StoredIdentityProvider[];
  enforceSso: boolean;
}

export async function routeEmail(ctx: ServerContext, email: string): Promise<SsoRoute | undefined> {
  if (!email.includes('@')) return undefined;
  const domain = await ctx.store.federation.verifiedDomain(emailDomain(email));
  if (!domain) return undefined;
  const org = await ctx.store.orgs.get(domain.orgId);
  if (!org) return undefined;
  const providers = await ctx.store.federation.listProviders(org.id);
  if (providers.length === 0) return undefined;
  const settings = await ctx.store.federation.getSettings(org.id);
  return { org, providers, enforceSso: settings.enforceSso };
}
