/**
 * Storage contract of enterprise sign-in (issue 13, migration 0012): who an
 * organization's identity provider vouched for and which account that is,
 * the org's email domains, its group → role mapping and enforce_sso, and
 * its identity providers (the protocol settings are opaque JSON here: the
 * sso package parses them).
 */

/** An IdP's subject linked to a Gatehouse account, per (org, provider, subject). */
export interface ExternalIdentity {
  orgId: string;
  provider: string;
  subject: string;
  userId: string;
  createdAt: number;
  lastSignInAt: number;
}

export type DomainVerification = 'config' | 'dns';

/** An email domain an org claims; it routes and links accounts only once verified. */
export interface OrgDomain {
  orgId: string;
  /** Lower-case host name, e.g. acme.test. */
  name: string;
  /** The value the org publishes in a TXT record to prove it owns the domain. */
  challenge: string;
  verifiedBy: DomainVerification | null;
  verifiedAt: number | null;
  createdAt: number;
}

/** How an org's directory groups become its roles, and whether its people must sign in through its IdP. */
export interface OrgSsoSettings {
  orgId: string;
  groupRoles: Record<string, string[]>;
  defaultRoles: string[];
  enforceSso: boolean;
  updatedAt: number;
}

export type IdentityProviderSource = 'config' | 'setup_link' | 'admin_api';

/** An org's identity provider; `settings` is the provider's own configuration (issuer, client id, ...). */
export interface StoredIdentityProvider {
  orgId: string;
  id: string;
  type: string;
  source: IdentityProviderSource;
  settings: Record<string, unknown>;
  updatedAt: number;
}

/** An expiring link that configures one org's identity provider (issue 13 item 5); the token itself is never stored. */
export interface SetupLink {
  tokenHash: string;
  orgId: string;
  /** Who created it, e.g. `user:usr_…` or `operator:…`. */
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface FederationStore {
  findIdentity(orgId: string, provider: string, subject: string): Promise<ExternalIdentity | undefined>;
  /** Inserts the link; throws DuplicateError when (org, provider, subject) is already linked. */
  linkIdentity(identity: ExternalIdentity): Promise<void>;
  touchIdentity(orgId: string, provider: string, subject: string, now: number): Promise<void>;
  listIdentitiesOfUser(userId: string): Promise<ExternalIdentity[]>;

  /** Inserts or replaces the org's claim to a domain. */
  putDomain(domain: OrgDomain): Promise<void>;
  getDomain(orgId: string, name: string): Promise<OrgDomain | undefined>;
  listDomains(orgId: string): Promise<OrgDomain[]>;
  removeDomain(orgId: string, name: string): Promise<boolean>;
  /** The org that verified `name` first, if any verified it (a domain routes to one org only). */
  verifiedDomain(name: string): Promise<OrgDomain | undefined>;

  /** The org's settings; an org never configured maps no group, has no default role and does not enforce SSO. */
  getSettings(orgId: string): Promise<OrgSsoSettings>;
  putSettings(settings: OrgSsoSettings): Promise<void>;

  /** Inserts or replaces one provider of the org. */
  putProvider(provider: StoredIdentityProvider): Promise<void>;
  getProvider(orgId: string, id: string): Promise<StoredIdentityProvider | undefined>;
  listProviders(orgId: string): Promise<StoredIdentityProvider[]>;
  removeProvider(orgId: string, id: string): Promise<boolean>;

  createSetupLink(link: SetupLink): Promise<void>;
  getSetupLink(tokenHash: string): Promise<SetupLink | undefined>;
  listSetupLinks(orgId: string): Promise<SetupLink[]>;
  /** Revokes every live link of the org; returns how many. */
  revokeSetupLinks(orgId: string, now: number): Promise<number>;
}
