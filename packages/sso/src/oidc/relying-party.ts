/**
 * Gatehouse as an OpenID Connect relying party of an organization's IdP,
 * with openid-client doing every protocol check: discovery (the issuer in
 * the document must equal the configured one), authorization code with PKCE
 * (S256), `state`, `nonce`, the `iss` authorization response parameter
 * (RFC 9207) when the IdP sends it, and the ID token's signature (against
 * the IdP's JWKS, even though it came over TLS), `iss`,
 * `aud`, `azp`, `exp` and `iat`. Userinfo is fetched when the ID token lacks
 * the email or groups, and its `sub` must match.
 */
import * as oidc from 'openid-client';
import type { FederatedIdentity } from '../federated-identity.ts';
import { identityFromClaims, needsUserinfo } from './claims.ts';
import type { OidcProviderSettings } from './settings.ts';

export interface RelyingPartyOptions {
  /** Allow an http: IdP issuer (loopback test and development IdPs only: the caller decides). */
  allowInsecure?: boolean;
  /** Replaces fetch for every request to the IdP (tests). */
  fetch?: oidc.CustomFetch;
  /** Per-request timeout in seconds. Default 10. */
  timeoutSeconds?: number;
}

/** What the start of a sign-in must keep (bound to the browser) until the callback. */
export interface OidcPendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

export interface OidcRelyingParty {
  /** The IdP's authorization URL and the secrets to keep until the callback. */
  start(redirectUri: string): Promise<{ url: URL; pending: OidcPendingSignIn }>;
  /**
   * Checks the callback's query parameters against `pending` and returns
   * who signed in. Throws when any check fails; the
   * error never carries a token.
   */
  finish(callbackParameters: URLSearchParams, pending: OidcPendingSignIn, org: string): Promise<FederatedIdentity>;
}

export async function discoverRelyingParty(settings: OidcProviderSettings, options: RelyingPartyOptions = {}): Promise<OidcRelyingParty> {
  const execute = options.allowInsecure ? [oidc.allowInsecureRequests] : [];
  const auth = settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.None();
  const config = await oidc.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret ? { client_secret: settings.clientSecret } : {}, auth, {
    execute,
    timeout: options.timeoutSeconds ?? 10,
    ...(options.fetch ? { [oidc.customFetch]: options.fetch } : {}),
  });
  // OIDC Core §3.1.3.7 lets a client skip the ID token's signature when it came straight from the token
  // endpoint over TLS; the library does unless told. We check it anyway: a proxy, a mis-issued
  // certificate or an http development IdP must not be enough to forge a sign-in.
  oidc.enableNonRepudiationChecks(config);
  const scope = ['openid', ...settings.scopes.filter((s) => s !== 'openid')].join(' ');
  return {
    async start(redirectUri) {
      const pending: OidcPendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), redirectUri };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope,
        response_type: 'code',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url, pending };
    },
    async finish(callbackParameters, pending, org) {
      // The redirect_uri sent at the start, not one rebuilt from the request's URL (proxies rewrite hosts).
      const callbackUrl = new URL(pending.redirectUri);
      callbackUrl.search = callbackParameters.toString();
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new Error('the IdP returned no ID token');
      const wantUserinfo = settings.userinfo === 'always' || (settings.userinfo === 'auto' && needsUserinfo(idToken, settings.claims) && config.serverMetadata().userinfo_endpoint !== undefined);
      const userinfo = wantUserinfo ? await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub) : undefined;
      return identityFromClaims({ org, provider: settings.id, idToken, userinfo, names: settings.claims });
    },
  };
}
