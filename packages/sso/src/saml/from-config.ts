/**
 * From configuration to service-provider settings. The config (YAML or the
 * setup link) names the IdP by metadata file, metadata URL, or entity id +
 * SSO URL + certificates; resolving reads the metadata once, so what is
 * stored and used per request is always the explicit trust (entity id, SSO
 * URL, certificates), never a URL fetched at sign-in time.
 */
import { IdpMetadataError, loadIdpMetadata, toPem } from './idp-metadata.ts';
import type { SamlIdentityProviderTrust, SamlProviderSettings, SamlSignatureAlgorithm } from './settings.ts';

/** The `type: saml` identity-provider entry (snake_case, as in gatehouse.yaml, defaults applied). */
export interface SamlProviderConfig {
  readonly id: string;
  readonly metadata_file?: string | undefined;
  readonly metadata_url?: string | undefined;
  readonly entity_id?: string | undefined;
  readonly sso_url?: string | undefined;
  readonly certificates?: readonly string[] | undefined;
  readonly attributes: { readonly email: string; readonly name: string; readonly groups: string };
  readonly signature_algorithm: SamlSignatureAlgorithm;
  readonly clock_skew_seconds: number;
  readonly trust_email: boolean;
}

/** The settings to store for the provider: the IdP trust read from its metadata when the config names metadata. */
export async function resolveSamlProvider(org: string, config: SamlProviderConfig, io?: { readFile: (path: string) => Promise<string>; fetch?: typeof fetch }): Promise<SamlProviderSettings> {
  let idp: SamlIdentityProviderTrust;
  if (config.metadata_file !== undefined) idp = await loadIdpMetadata({ file: config.metadata_file }, io);
  else if (config.metadata_url !== undefined) idp = await loadIdpMetadata({ url: config.metadata_url }, io);
  else if (config.entity_id && config.sso_url && config.certificates?.length) {
    idp = { entityId: config.entity_id, ssoUrl: config.sso_url, certificates: config.certificates.map(toPem) };
  } else throw new IdpMetadataError(`provider ${config.id}: give metadata_file, metadata_url, or entity_id + sso_url + certificates`);
  return {
    org,
    provider: config.id,
    idp,
    attributes: { ...config.attributes },
    signatureAlgorithm: config.signature_algorithm,
    clockSkewMs: config.clock_skew_seconds * 1000,
    trustEmail: config.trust_email,
  };
}

/**
 * Reads settings stored as JSON (the identity-provider record's opaque
 * `settings`, written from `resolveSamlProvider`'s result) back, checking
 * every field: a damaged row must fail closed, not trust a missing
 * certificate list.
 */
export function samlSettingsFromStored(org: string, provider: string, stored: unknown): SamlProviderSettings | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const s = stored as Record<string, any>;
  const idp = s['idp'] as Record<string, unknown> | undefined;
  const attributes = s['attributes'] as Record<string, unknown> | undefined;
  const certificates = idp?.['certificates'];
  const ok =
    typeof idp?.['entityId'] === 'string' &&
    typeof idp['ssoUrl'] === 'string' &&
    Array.isArray(certificates) &&
    certificates.length > 0 &&
    certificates.every((c) => typeof c === 'string') &&
    typeof attributes?.['email'] === 'string' &&
    typeof attributes['name'] === 'string' &&
    typeof attributes['groups'] === 'string' &&
    (s['signatureAlgorithm'] === 'sha256' || s['signatureAlgorithm'] === 'sha512') &&
    typeof s['clockSkewMs'] === 'number' &&
    typeof s['trustEmail'] === 'boolean';
  if (!ok) return undefined;
  return {
    org,
    provider,
    idp: { entityId: idp['entityId'] as string, ssoUrl: idp['ssoUrl'] as string, certificates: certificates as string[] },
    attributes: { email: attributes['email'] as string, name: attributes['name'] as string, groups: attributes['groups'] as string },
    signatureAlgorithm: s['signatureAlgorithm'],
    clockSkewMs: s['clockSkewMs'],
    trustEmail: s['trustEmail'],
  };
}
