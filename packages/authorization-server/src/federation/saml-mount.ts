/**
 * Mounts SAML sign-in (saml-routes.ts) on the authorization server: the
 * org's providers come from the store (`store.federation`, written by the
 * config or a setup link), and a verified identity is signed in by
 * completeFederatedSignIn, as every federated sign-in is.
 */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { samlProviderLookup, type StoredProviderFind } from './saml-providers.ts';
import { mountSamlRoutes } from './saml-routes.ts';
import { completeFederatedSignIn } from './sign-in.ts';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const storedProvider: StoredProviderFind = async (ctx, orgSlug, providerId) => {
  if (!SLUG.test(orgSlug) || !SLUG.test(providerId)) return undefined;
  const org = await ctx.store.orgs.getBySlug(orgSlug);
  return org ? ctx.store.federation.getProvider(org.id, providerId) : undefined;
};

export function mountSaml(app: Hono<AppEnv>, ctx: ServerContext): void {
  mountSamlRoutes(app, ctx, {
    providers: samlProviderLookup(storedProvider),
    signIn: completeFederatedSignIn,
    exists: async (ctx, org, provider) => (await storedProvider(ctx, org, provider))?.type === 'saml',
  });
}
