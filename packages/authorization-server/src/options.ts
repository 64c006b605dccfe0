/**
 * The one documented options object of the authorization server. Every
 * default lives here next to its reason; docs/configuration.md mirrors it.
 */
import type { Sensitivity } from '@gatehouse-auth/core';
import type { FederationOptions } from './federation/options.ts';

export interface AuthorizationServerOptions {
  /** The issuer identifier (RFC 8414 §2): https URL, no query or fragment. May have a path. */
  issuer: string;
  /** Access token lifetime by the most sensitive granted scope, in seconds. */
  accessTokenTtl: Record<Sensitivity, number>;
  /** Refresh token lifetime in seconds. Default 30 days. */
  refreshTokenTtl: number;
  /** How long the immediate predecessor of a refresh token stays usable after rotation, in ms (parallel refreshes). Default 10 s. */
  refreshGraceMs: number;
  /** Authorization code lifetime in seconds. Default 60 (FAPI 2 and oidc-provider). */
  codeTtl: number;
  /** How long a consent to a critical scope lasts before it is asked again, in days. Default 90. */
  criticalReconsentDays: number;
  /**
   * A grant's absolute lifetime in days, by its most sensitive scope, counted
   * from the consent: refresh rotation never extends it; afterwards the
   * person is asked again. Default 365 / 180 / 180 (critical scopes are also re-consented every criticalReconsentDays).
   */
  grantLifetimeDays: Record<Sensitivity, number>;
  /** Access token format. Opaque tokens are revocable at introspection; JWTs (RFC 9068) verify offline. */
  accessTokenFormat: 'opaque' | 'jwt';
  /** Login session lifetime in seconds. Default 12 h. */
  sessionTtl: number;
  /**
   * Login attempts allowed in each `windowSeconds` window: `perAccount` per account from one client
   * network (IPv4 /24, IPv6 /64), `perAccountAllNetworks` per account from everywhere together, `perIp`
   * per client address across accounts (session/throttle.ts, docs/login.md).
   */
  loginThrottle: { perAccount: number; perAccountAllNetworks: number; perIp: number; windowSeconds: number };
  /** Dynamic client registrations allowed per IP per minute. */
  registrationRateLimitPerMinute: number;
  /** Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document). */
  cimd: {
    enabled: boolean;
    /** Allow fetching documents from loopback hosts over http (development only). */
    allowLoopback: boolean;
    timeoutMs: number;
    maxBytes: number;
    minCacheSeconds: number;
    maxCacheSeconds: number;
  };
  /**
   * The largest request body any endpoint accepts, in bytes (registration has its own,
   * dynamicRegistration.maxBodyBytes). Refused with 413 before it is read. Default 16 KiB.
   */
  maxBodyBytes: number;
  /** Dynamic client registration (RFC 7591). Deprecated by MCP 2026-07-28, still used by many clients. */
  dynamicRegistration: { enabled: boolean; maxBodyBytes: number; maxRedirectUris: number };
  /** Allow an http: issuer on a non-loopback host (never in production). */
  allowInsecureIssuer: boolean;
  /** SHA-256 (base64url) of GATEHOUSE_ADMIN_KEY. Unset: the /admin API answers 404. */
  adminKeyHash?: string;
  /** Interval of `: ping` comments on /revocations/stream, in ms. Default 15 s (keeps proxies from closing idle streams). */
  revocationStreamPingMs: number;
  /** Open /revocations/stream connections one resource server may hold in this process; one more is 429. Default 4. */
  revocationStreamsPerClient: number;
  /** How long an active access-token introspection may be answered from memory, in ms; revocation events drop entries at once. 0 disables. Default 2 s. */
  introspectionCacheMs: number;
  /** Enterprise sign-in (issue 13): where identity providers' client_secret_env names are looked up. */
  federation?: FederationOptions;
  /** Per-call human approvals (docs/approvals.md): pending approvals are POSTed to `webhookUrl` when set. */
  approvals?: { webhookUrl?: string };
  /** How often a running server records grants and time-boxed scopes that ended by themselves (audit, revocation), in ms. 0: only refreshes notice them. Default 30 s. */
  grantExpirySweepMs: number;
}

export const DEFAULT_OPTIONS: Omit<AuthorizationServerOptions, 'issuer'> = {
  accessTokenTtl: { routine: 3600, sensitive: 1800, critical: 900 },
  refreshTokenTtl: 30 * 24 * 3600,
  refreshGraceMs: 10_000,
  codeTtl: 60,
  criticalReconsentDays: 90,
  grantLifetimeDays: { routine: 365, sensitive: 180, critical: 180 },
  accessTokenFormat: 'opaque',
  sessionTtl: 12 * 3600,
  loginThrottle: { perAccount: 5, perAccountAllNetworks: 100, perIp: 20, windowSeconds: 60 },
  registrationRateLimitPerMinute: 30,
  cimd: { enabled: true, allowLoopback: false, timeoutMs: 2500, maxBytes: 5120, minCacheSeconds: 30, maxCacheSeconds: 86_400 },
  maxBodyBytes: 16 * 1024,
  dynamicRegistration: { enabled: true, maxBodyBytes: 5120, maxRedirectUris: 10 },
  allowInsecureIssuer: false,
  revocationStreamPingMs: 15_000,
  revocationStreamsPerClient: 4,
  introspectionCacheMs: 2_000,
  grantExpirySweepMs: 30_000,
};

export type PartialOptions = { issuer: string } & {
  [K in keyof Omit<AuthorizationServerOptions, 'issuer'>]?: AuthorizationServerOptions[K] extends Record<string, unknown> ? Partial<AuthorizationServerOptions[K]> : AuthorizationServerOptions[K];
};

export function resolveOptions(input: PartialOptions): AuthorizationServerOptions {
  const merged = { ...DEFAULT_OPTIONS, ...input } as AuthorizationServerOptions;
  merged.accessTokenTtl = { ...DEFAULT_OPTIONS.accessTokenTtl, ...input.accessTokenTtl };
  merged.grantLifetimeDays = { ...DEFAULT_OPTIONS.grantLifetimeDays, ...input.grantLifetimeDays };
  merged.loginThrottle = { ...DEFAULT_OPTIONS.loginThrottle, ...input.loginThrottle };
  merged.cimd = { ...DEFAULT_OPTIONS.cimd, ...input.cimd };
  merged.dynamicRegistration = { ...DEFAULT_OPTIONS.dynamicRegistration, ...input.dynamicRegistration };
  const url = new URL(merged.issuer);
  if (url.search || url.hash) throw new Error(`issuer ${merged.issuer} must not have a query or fragment (RFC 8414 §2)`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (loopback || merged.allowInsecureIssuer))) {
    throw new Error(`issuer ${merged.issuer} must use https (set allowInsecureIssuer only for testing)`);
  }
  merged.issuer = merged.issuer.replace(/\/$/, '');
  return merged;
}
