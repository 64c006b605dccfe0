/** Maps the snake_case `server:` section onto AuthorizationServerOptions (options.ts holds the defaults). */
import type { PartialOptions } from '@gatehouse-auth/authorization-server';
import type { ServerConfig } from './schema.ts';

const defined = <T extends object>(value: T): Partial<T> => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

export function toServerOptions(server: ServerConfig, issuer: string): PartialOptions {
  const options: PartialOptions = defined({
    issuer,
    accessTokenTtl: server.access_token_ttl && defined(server.access_token_ttl),
    refreshTokenTtl: server.refresh_token_ttl,
    refreshGraceMs: server.refresh_grace_ms,
    codeTtl: server.code_ttl,
    criticalReconsentDays: server.critical_reconsent_days,
    grantLifetimeDays: server.grant_lifetime_days && defined(server.grant_lifetime_days),
    accessTokenFormat: server.access_token_format,
    sessionTtl: server.session_ttl,
    loginThrottle:
      server.login_throttle &&
      defined({
        perAccount: server.login_throttle.per_account,
        perAccountAllNetworks: server.login_throttle.per_account_all_networks,
        perIp: server.login_throttle.per_ip,
        windowSeconds: server.login_throttle.window_seconds,
      }),
    registrationRateLimitPerMinute: server.registration_rate_limit_per_minute,
    maxBodyBytes: server.max_body_bytes,
    cimd:
      server.cimd &&
      defined({
        enabled: server.cimd.enabled,
        allowLoopback: server.cimd.allow_loopback,
        timeoutMs: server.cimd.timeout_ms,
        maxBytes: server.cimd.max_bytes,
        minCacheSeconds: server.cimd.min_cache_seconds,
        maxCacheSeconds: server.cimd.max_cache_seconds,
      }),
    dynamicRegistration:
      server.dynamic_registration &&
      defined({ enabled: server.dynamic_registration.enabled, maxBodyBytes: server.dynamic_registration.max_body_bytes, maxRedirectUris: server.dynamic_registration.max_redirect_uris }),
    allowInsecureIssuer: server.allow_insecure_issuer,
    revocationStreamPingMs: server.revocation_stream_ping_ms,
    revocationStreamsPerClient: server.revocation_streams_per_client,
    introspectionCacheMs: server.introspection_cache_ms,
    approvals: server.approvals && defined({ webhookUrl: server.approvals.webhook_url }),
    grantExpirySweepMs: server.grant_expiry_sweep_seconds === undefined ? undefined : server.grant_expiry_sweep_seconds * 1000,
  }) as PartialOptions;
  return options;
}
