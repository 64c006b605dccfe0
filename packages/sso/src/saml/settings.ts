/**
 * One SAML 2.0 identity provider of one organization, as the service
 * provider needs it: whom to trust (entity id, signing certificates), where
 * to send people (SSO URL), and how to read the person from the assertion.
 */
export interface SamlIdentityProviderTrust {
  /** The IdP's entity id: the Issuer every accepted assertion must carry. */
  readonly entityId: string;
  /** Where the AuthnRequest goes (HTTP-Redirect binding). */
  readonly ssoUrl: string;
  /** PEM (or bare base64) signing certificates: the only keys a signature is checked with, never the KeyInfo a response carries. */
  readonly certificates: readonly string[];
}

/** Attribute names the IdP puts the person's details under (they differ per IdP; docs/saml.md lists them). */
export interface SamlAttributeNames {
  readonly email: string;
  readonly name: string;
  readonly groups: string;
}

/** The weakest signature and digest accepted: SHA-1 is never accepted. */
export type SamlSignatureAlgorithm = 'sha256' | 'sha512';

export interface SamlProviderSettings {
  /** The organization's slug. */
  readonly org: string;
  /** The provider's id within the organization's config. */
  readonly provider: string;
  readonly idp: SamlIdentityProviderTrust;
  readonly attributes: SamlAttributeNames;
  readonly signatureAlgorithm: SamlSignatureAlgorithm;
  /** Clock difference tolerated on NotBefore / NotOnOrAfter. */
  readonly clockSkewMs: number;
  /**
   * Whether the IdP is authoritative for the email addresses it asserts
   * (a company IdP asserting its own users' addresses). SAML carries no
   * "verified" flag; only a trusted email may be matched to an existing
   * account.
   */
  readonly trustEmail: boolean;
}

export const DEFAULT_ATTRIBUTE_NAMES: SamlAttributeNames = {
  email: 'email',
  name: 'name',
  groups: 'groups',
};

export const DEFAULT_CLOCK_SKEW_MS = 60_000;

/** The URLs the service provider answers at for one org and provider; the entity id is the metadata URL (what IdPs expect). */
export interface SpEndpoints {
  readonly entityId: string;
  readonly metadataUrl: string;
  readonly loginUrl: string;
  readonly acsUrl: string;
}

export function spEndpoints(issuer: string, org: string, provider: string): SpEndpoints {
  const base = `${issuer.replace(/\/$/, '')}/sso/saml/${encodeURIComponent(org)}/${encodeURIComponent(provider)}`;
  return { entityId: `${base}/metadata`, metadataUrl: `${base}/metadata`, loginUrl: `${base}/login`, acsUrl: `${base}/acs` };
}
