/**
 * Identity providers set through the admin API or a setup link (stored in
 * the database beside the config file's). One parse for both: a provider
 * from a setup link must use https and may not name a server environment
 * variable (the IT person would otherwise have Gatehouse send, say, the
 * admin key to their IdP as a "client secret").
 */
import { OAuthError, type Actor } from '@gatehouse-auth/core';
import type { IdentityProviderSource, StoredIdentityProvider } from '@gatehouse-auth/store';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { oidcProviderSchema, providerIdSchema } from './oidc-settings.ts';
import { samlProviderSchema } from './saml-settings.ts';

/** Every provider type the admin API and setup links accept. */
export const storedProviderSchema = z.discriminatedUnion('type', [oidcProviderSchema, samlProviderSchema]);
type ProviderInput = z.infer<typeof storedProviderSchema>;

const httpsUrl = (value: string | undefined): boolean => value === undefined || new URL(value).protocol === 'https:';

/**
 * What a setup link may not ask the server to do: talk to an IdP over plain
 * http, read one of the server's environment variables or files, or fetch a
 * URL of the IT person's choosing (SSRF into the server's network). A SAML
 * IdP comes through a link as its pasted entity id, https SSO URL and
 * signing certificate; metadata by file or URL stays with the operator.
 */
function refuseForSetupLink(provider: ProviderInput): void {
  if (provider.type === 'oidc') {
    if (!httpsUrl(provider.issuer)) throw new OAuthError('invalid_request', 'The issuer must be an https URL.');
    if (provider.client_secret_env !== undefined) throw new OAuthError('invalid_request', 'client_secret_env cannot be set through a setup link: give client_secret.');
    return;
  }
  if (provider.metadata_file !== undefined || provider.metadata_url !== undefined) {
    throw new OAuthError('invalid_request', 'Through a setup link a SAML provider is given as entity_id, sso_url and certificates (metadata files and URLs are for the operator).');
  }
  if (!httpsUrl(provider.sso_url)) throw new OAuthError('invalid_request', 'The SSO URL must be an https URL.');
}

/** What an admin answer shows of a provider: its settings without any secret. */
export function describeProvider(provider: StoredIdentityProvider): Record<string, unknown> {
  const { client_secret: secret, ...settings } = provider.settings;
  return { id: provider.id, type: provider.type, source: provider.source, ...settings, ...(secret !== undefined ? { client_secret: '(set)' } : {}), updated_at: provider.updatedAt };
}

export async function putIdentityProvider(ctx: ServerContext, orgId: string, id: string, body: unknown, source: IdentityProviderSource, actor: Actor): Promise<StoredIdentityProvider> {
  if (!providerIdSchema.safeParse(id).success) throw new OAuthError('invalid_request', 'The provider id must be lower-case letters, digits and -.');
  const parsed = storedProviderSchema.safeParse({ ...(typeof body === 'object' && body !== null ? body : {}), id });
  if (!parsed.success) throw new OAuthError('invalid_request', `Invalid identity provider: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  if (source === 'setup_link') refuseForSetupLink(parsed.data);
  const { id: _id, type, ...settings } = parsed.data;
  const existing = await ctx.store.federation.getProvider(orgId, id);
  if (existing?.source === 'config' && source !== 'config') throw new OAuthError('invalid_request', `Provider ${id} is managed by the config file; choose another id.`);
  const provider: StoredIdentityProvider = { orgId, id, type, source, settings: settings as Record<string, unknown>, updatedAt: ctx.clock.now() };
  await ctx.store.federation.putProvider(provider);
  await ctx.events.publish({ type: 'org.updated', orgId, actor });
  return provider;
}

/** Removes a provider not managed by the config file; false when there is none to remove. */
export async function removeIdentityProvider(ctx: ServerContext, orgId: string, id: string, actor: Actor): Promise<boolean> {
  const existing = await ctx.store.federation.getProvider(orgId, id);
  if (!existing || existing.source === 'config') return false;
  await ctx.store.federation.removeProvider(orgId, id);
  await ctx.events.publish({ type: 'org.updated', orgId, actor });
  return true;
}
