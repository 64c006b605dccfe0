/**
 * What an HTTP upstream is shown instead of the user's token (MCP "Token
 * passthrough" is forbidden): a static header whose value the operator
 * keeps in an environment variable, or an access token the gateway obtains
 * for itself with client_credentials (RFC 6749 §4.4) and renews before it
 * expires, or at once when the upstream refuses it.
 */
import { basicAuthorization } from '@gatehouse-auth/mcp';

export interface ClientCredentialsOptions {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** RFC 8707 resource indicator for the upstream, when its AS wants one. */
  resource?: string;
}

export interface UpstreamCredentialOptions {
  /** Headers sent as they are (values already read from the environment). */
  headers?: Record<string, string>;
  clientCredentials?: ClientCredentialsOptions;
}

export interface UpstreamCredentials {
  headers(): Promise<Record<string, string>>;
  /** The headers when they are at hand without waiting (static, or a token not due for renewal), else undefined: spares a promise per request. Shared: read them, never change them (headers() hands out a copy). */
  ready(): Record<string, string> | undefined;
  /** The upstream refused them: forget the cached token. */
  refused(): void;
}

const RENEW_BEFORE_MS = 30_000;

export function upstreamCredentials(options: UpstreamCredentialOptions, fetchImpl: typeof fetch = fetch): UpstreamCredentials {
  const fixed = options.headers ?? {};
  const cc = options.clientCredentials;
  if (!cc) return { headers: async () => fixed, ready: () => fixed, refused: () => {} };
  let cached: { token: string; expiresAt: number; headers: Record<string, string> } | undefined;
  let inFlight: Promise<string> | undefined;
  const obtain = async (): Promise<string> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (cc.scope) form.set('scope', cc.scope);
    if (cc.resource) form.set('resource', cc.resource);
    const response = await fetchImpl(cc.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: basicAuthorization(cc.clientId, cc.clientSecret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof body.access_token !== 'string')
      throw new Error(`client_credentials at ${cc.tokenEndpoint} failed: HTTP ${response.status} ${typeof body.error === 'string' ? body.error : ''}`.trim());
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 300_000;
    cached = { token: body.access_token, expiresAt: Date.now() + lifetime, headers: { ...fixed, authorization: `Bearer ${body.access_token}` } };
    return body.access_token;
  };
  const fresh = () => (cached && cached.expiresAt - RENEW_BEFORE_MS > Date.now() ? cached.headers : undefined);
  return {
    async headers() {
      if (!fresh()) {
        inFlight ??= obtain().finally(() => {
          inFlight = undefined;
        });
        await inFlight;
      }
      // A copy: the caller may change what it is given.
      return { ...cached!.headers };
    },
    ready: fresh,
    refused() {
      cached = undefined;
    },
  };
}
