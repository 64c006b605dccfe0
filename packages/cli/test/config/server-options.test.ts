import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, resolveOptions } from '@gatehouse-auth/authorization-server';
import { parseConfig } from '../../src/config/load.ts';
import { toServerOptions } from '../../src/config/server-options.ts';

const EVERY_KEY = `server:
  access_token_ttl: { routine: 3000, sensitive: 1500, critical: 600 }
  refresh_token_ttl: 86400
  refresh_grace_ms: 0
  code_ttl: 30
  critical_reconsent_days: 30
  grant_lifetime_days: { routine: 200, sensitive: 100, critical: 60 }
  access_token_format: jwt
  session_ttl: 3600
  login_throttle: { per_account: 3, per_account_all_networks: 30, per_ip: 10, window_seconds: 120 }
  max_body_bytes: 8192
  registration_rate_limit_per_minute: 5
  cimd: { enabled: false, allow_loopback: true, timeout_ms: 1000, max_bytes: 2048, min_cache_seconds: 10, max_cache_seconds: 600 }
  dynamic_registration: { enabled: false, max_body_bytes: 2048, max_redirect_uris: 3 }
  allow_insecure_issuer: true
  revocation_stream_ping_ms: 5000
  revocation_streams_per_client: 2
  introspection_cache_ms: 0
  approvals: { webhook_url: https://hooks.acme.example/approvals }
  grant_expiry_sweep_seconds: 5
`;

describe('gatehouse.yaml server: section', () => {
  it('can set every authorization server option (a new option without a config key fails here)', () => {
    const options = resolveOptions(toServerOptions(parseConfig(EVERY_KEY).server, 'https://auth.acme.example'));
    for (const key of Object.keys(DEFAULT_OPTIONS) as (keyof typeof DEFAULT_OPTIONS)[]) {
      expect(options[key], `server option ${key} is not settable from gatehouse.yaml`).not.toEqual(DEFAULT_OPTIONS[key]);
    }
    expect(options.grantExpirySweepMs).toBe(5_000);
    expect(options.loginThrottle).toEqual({ perAccount: 3, perAccountAllNetworks: 30, perIp: 10, windowSeconds: 120 });
    expect(options.approvals).toEqual({ webhookUrl: 'https://hooks.acme.example/approvals' });
    expect(options.cimd).toEqual({ enabled: false, allowLoopback: true, timeoutMs: 1000, maxBytes: 2048, minCacheSeconds: 10, maxCacheSeconds: 600 });
  });

  it('leaves every option at its default when the section is absent', () => {
    const options = resolveOptions(toServerOptions(parseConfig('').server, 'https://auth.acme.example'));
    expect(options).toEqual({ ...DEFAULT_OPTIONS, issuer: 'https://auth.acme.example' });
  });

  it('keeps the defaults of nested keys it does not set', () => {
    const options = resolveOptions(toServerOptions(parseConfig('server:\n  access_token_ttl: { critical: 300 }\n').server, 'https://auth.acme.example'));
    expect(options.accessTokenTtl).toEqual({ ...DEFAULT_OPTIONS.accessTokenTtl, critical: 300 });
  });
});
