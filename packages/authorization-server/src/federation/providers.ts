/** An org's identity provider by the (org slug, provider id) of a URL. */
import type { Organization } from '@gatehouse-auth/core';
import type { StoredIdentityProvider } from '@gatehouse-auth/store';
import type { ServerContext } from '../context.ts';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function findProvider(ctx: ServerContext, orgSlug: string, providerId: string): Promise<{ org: Organization; provider: StoredIdentityProvider } | undefined> {
  if (!SLUG.test(orgSlug) || !SLUG.test(providerId)) return undefined;
  const org = await ctx.store.orgs.getBySlug(orgSlug);
  if (!org) return undefined;
  const provider = await ctx.store.federation.getProvider(org.id, providerId);
  return provider && { org, provider };
}

/** Where the IdP sends the browser back: registered at the IdP as the redirect URI. */
export const oidcCallbackUri = (ctx: ServerContext, orgSlug: string, providerId: string): string => `${ctx.options.issuer}/sso/${orgSlug}/${providerId}/callback`;

/** The label people see for a provider: its configured name, else its id. */
export const providerLabel = (provider: StoredIdentityProvider): string => (typeof provider.settings['name'] === 'string' ? provider.settings['name'] : provider.id);

/**
 * Where the login page sends a person to sign in with `provider` (its
 * interaction id appended by the caller): OIDC here; SAML at the SAML
 * routes (the SAML work owns that path and may change it here).
 */
export const signInStartPath = (orgSlug: string, provider: StoredIdentityProvider): string =>
  provider.type === 'saml' ? `/sso/saml/${orgSlug}/${provider.id}/login` : `/sso/${orgSlug}/${provider.id}/start`;
