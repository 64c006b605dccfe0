/**
 * What a company's identity provider said about the person who just signed
 * in, after every protocol check passed (OIDC: signature, iss, aud, nonce;
 * SAML: signature, audience, recipient, conditions, replay). OIDC and SAML
 * both end here; signing the person in (just-in-time account and
 * membership, roles from groups, the login session) starts from it and never
 * looks at protocol messages.
 */
export interface FederatedIdentity {
  readonly protocol: 'oidc' | 'saml';
  /** The organization (slug) whose identity provider vouched for the person. */
  readonly org: string;
  /** The identity provider's id within that organization's config. */
  readonly provider: string;
  /** The IdP's stable identifier for the person (OIDC `sub`, SAML NameID): the link to a Gatehouse account. */
  readonly subject: string;
  readonly email?: string | undefined;
  /** Only a verified email may be matched to an existing account; an unverified one never takes an account over. */
  readonly emailVerified: boolean;
  readonly name?: string | undefined;
  /** Directory groups, mapped to roles through the org's GroupRoleMapping. */
  readonly groups: readonly string[];
}
