/**
 * An organization's OpenID Connect identity provider, as the sign-in code
 * needs it (the config file and the setup link both end here). The client
 * secret is the resolved value, never the name of its environment variable.
 */
export interface OidcClaimNames {
  /** Claim holding the email address. Default `email`. */
  readonly email: string;
  /**
   * Boolean claim saying the IdP verified the email. Default `email_verified`
   * (Okta, Google); Entra ID sends `xms_edov` when configured. Absent or not
   * `true` means unverified: such an email never links an existing account.
   */
  readonly emailVerified: string;
  /** Claim holding the display name. Default `name`. */
  readonly name: string;
  /** Claim holding the directory groups (an array of strings, or one string). Default `groups`. */
  readonly groups: string;
}

export interface OidcProviderSettings {
  /** The provider's id within its organization (the URL segment in /sso/:org/:provider/…). */
  readonly id: string;
  /** The IdP's issuer identifier; its discovery document is at <issuer>/.well-known/openid-configuration. */
  readonly issuer: string;
  readonly clientId: string;
  /** Absent: a public client (PKCE only). */
  readonly clientSecret?: string | undefined;
  /** Requested scopes; `openid` is always included. */
  readonly scopes: readonly string[];
  readonly claims: OidcClaimNames;
  /** When to call the userinfo endpoint: `auto` when the ID token lacks the email or the groups claim. */
  readonly userinfo: 'auto' | 'always' | 'never';
}

export const DEFAULT_CLAIM_NAMES: OidcClaimNames = { email: 'email', emailVerified: 'email_verified', name: 'name', groups: 'groups' };
export const DEFAULT_SCOPES: readonly string[] = ['openid', 'email', 'profile'];
