/**
 * The relying party for an org's OIDC provider, discovered once and reused:
 * keyed by the provider's stored version, so a provider changed through the
 * config or a setup link is discovered afresh. A failed discovery is not
 * cached (the next sign-in tries again).
 */
import { discoverRelyingParty, type OidcRelyingParty } from '@gatehouse-auth/sso';
import type { StoredIdentityProvider } from '@gatehouse-auth/store';
import type { ServerContext } from '../context.ts';
import { oidcProviderSchema, toOidcSettings, type OidcProviderConfig } from './oidc-settings.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_CACHED = 500;
const cache = new Map<string, Promise<OidcRelyingParty>>();

export interface OidcProviderHandle {
  config: OidcProviderConfig;
  relyingParty: OidcRelyingParty;
}

/**
 * http IdPs only on loopback and only while Gatehouse itself runs on an http
 * loopback issuer (development and tests); a deployed Gatehouse talks https.
 */
function allowInsecure(ctx: ServerContext, idpIssuer: string): boolean {
  const idp = new URL(idpIssuer);
  const self = new URL(ctx.options.issuer);
  return idp.protocol === 'http:' && LOOPBACK.has(idp.hostname) && self.protocol === 'http:' && LOOPBACK.has(self.hostname);
}

export async function oidcRelyingParty(ctx: ServerContext, stored: StoredIdentityProvider): Promise<OidcProviderHandle | { error: string }> {
  const parsed = oidcProviderSchema.safeParse({ ...stored.settings, id: stored.id, type: stored.type });
  if (!parsed.success) return { error: `stored settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  const settings = toOidcSettings(parsed.data, ctx.options.federation?.env ?? process.env);
  if ('error' in settings) return settings;
  const key = `${stored.orgId}/${stored.id}@${stored.updatedAt}`;
  let pending = cache.get(key);
  if (!pending) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    pending = discoverRelyingParty(settings, { allowInsecure: allowInsecure(ctx, settings.issuer) });
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  try {
    return { config: parsed.data, relyingParty: await pending };
  } catch (error) {
    return { error: `discovery failed: ${(error as Error).message}` };
  }
}
