/**
 * Finding an org's SAML provider at sign-in time. The store keeps the
 * provider as configured (snake_case, possibly naming its IdP metadata by
 * file or URL); this parses it and resolves the metadata into explicit trust
 * (entity id, SSO URL, certificates), caching the result per provider until
 * the stored record changes, and re-reading metadata at most hourly (IdPs
 * roll certificates by publishing the new one in their metadata first).
 * If a refresh fails, the last good trust stays in use and the failure is
 * logged; with none, the provider is unavailable.
 */
import { resolveSamlProvider, type SamlProviderSettings } from '@gatehouse-auth/sso';
import type { ServerContext } from '../context.ts';
import type { SamlProviderLookup } from './saml-routes.ts';
import { samlProviderSchema } from './saml-settings.ts';

/** The stored provider record for (org slug, provider id): its type, its settings as configured, and when it last changed. */
export type StoredProviderFind = (
  ctx: ServerContext,
  org: string,
  provider: string,
) => Promise<{ readonly type: string; readonly settings: Record<string, unknown>; readonly updatedAt: number } | undefined>;

export const METADATA_REFRESH_MS = 60 * 60 * 1000;

interface Cached {
  readonly updatedAt: number;
  readonly loadedAt: number;
  readonly refreshes: boolean;
  readonly settings: SamlProviderSettings;
}

export function samlProviderLookup(find: StoredProviderFind, io?: { readFile: (path: string) => Promise<string>; fetch?: typeof fetch }): SamlProviderLookup {
  const cache = new Map<string, Cached>();
  return async (ctx, org, provider) => {
    const stored = await find(ctx, org, provider);
    const key = `${org}/${provider}`;
    if (!stored || stored.type !== 'saml') {
      cache.delete(key);
      return undefined;
    }
    const now = Date.now();
    const cached = cache.get(key);
    if (cached && cached.updatedAt === stored.updatedAt && (!cached.refreshes || now - cached.loadedAt < METADATA_REFRESH_MS)) return cached.settings;
    const parsed = samlProviderSchema.safeParse({ ...stored.settings, id: provider, type: 'saml' });
    if (!parsed.success) {
      ctx.log('error', 'SAML provider settings invalid', { org, provider, issues: parsed.error.issues.map((i) => i.message) });
      return undefined;
    }
    try {
      const settings = await resolveSamlProvider(org, parsed.data, io);
      cache.set(key, { updatedAt: stored.updatedAt, loadedAt: now, refreshes: parsed.data.metadata_url !== undefined || parsed.data.metadata_file !== undefined, settings });
      return settings;
    } catch (error) {
      ctx.log('error', 'SAML IdP metadata unavailable', { org, provider, reason: error instanceof Error ? error.message : String(error) });
      // A failed refresh of unchanged settings keeps the last good trust; changed settings never fall back to old ones.
      return cached && cached.updatedAt === stored.updatedAt ? cached.settings : undefined;
    }
  };
}
