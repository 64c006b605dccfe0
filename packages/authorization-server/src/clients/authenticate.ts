/**
 * Client authentication at /token, /introspect and /revoke (RFC 6749 §2.3,
 * OAuth 2.1 §2.4): `client_secret_basic`, `client_secret_post`, or `none`
 * for public clients (client_id only). A client must use the method it
 * registered; using two methods at once is `invalid_request` (RFC 6749
 * §2.3). Failures are 401 `invalid_client`, with `WWW-Authenticate: Basic`
 * when the client tried Basic (RFC 6749 §5.2). Secrets are compared as
 * SHA-256 in constant time; they are random, so a fast hash suffices.
 */
import type { RequestHeaders } from '../http/request-headers.ts';
import { OAuthError, safeEqual, sha256, type Client, type TokenEndpointAuthMethod } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { resolveClient } from './resolve.ts';

export interface ClientAuthInput {
  headers: RequestHeaders;
  form: URLSearchParams;
  /** The requesting client's address (client-creation limit of metadata documents). */
  requester?: string;
}

interface PresentedCredentials {
  method: TokenEndpointAuthMethod;
  clientId: string;
  secret: string | null;
}

export async function authenticateClient(ctx: ServerContext, input: ClientAuthInput): Promise<Client> {
  const presented = presentedCredentials(ctx, input);
  const fail = (detail: string): OAuthError => invalidClient(ctx, presented.method, detail);
  let client: Client;
  try {
    client = await resolveClient(ctx, presented.clientId, input.requester);
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_client') throw fail(error.detail ?? 'unknown client');
    throw error;
  }
  if (client.tokenEndpointAuthMethod !== presented.method) {
    throw fail(`client registered ${client.tokenEndpointAuthMethod} but used ${presented.method}`);
  }
  if (presented.method === 'none') return client;
  if (presented.secret === null || !secretMatches(client, sha256(presented.secret), ctx.clock.now())) {
    throw fail('wrong or expired client secret');
  }
  return client;
}

/**
 * The current secret until it expires, or the previous one during a
 * rotation's overlap (issue 16). Both comparisons always run, in constant
 * time, so timing tells nothing about which secret matched or whether one
 * expired.
 */
function secretMatches(client: Client, presentedHash: string, now: number): boolean {
  const current = client.secretHash !== null && safeEqual(presentedHash, client.secretHash);
  const previous = client.previousSecretHash != null && safeEqual(presentedHash, client.previousSecretHash);
  const currentLive = client.secretExpiresAt == null || now < client.secretExpiresAt;
  const previousLive = client.previousSecretExpiresAt != null && now < client.previousSecretExpiresAt;
  return (current && currentLive) || (previous && previousLive);
}

/** Until when a successful authentication may be remembered: the earliest end of a secret still live (none: unbounded). */
export function secretsLiveUntil(client: Client, now: number): number {
  const ends = [client.secretExpiresAt, client.previousSecretExpiresAt].filter((at): at is number => at != null && at > now);
  return ends.length === 0 ? Infinity : Math.min(...ends);
}

function presentedCredentials(ctx: ServerContext, { headers, form }: ClientAuthInput): PresentedCredentials {
  const formId = form.get('client_id');
  const formSecret = form.get('client_secret');
  if (form.getAll('client_id').length > 1 || form.getAll('client_secret').length > 1) {
    throw new OAuthError('invalid_request', 'Client credentials must not be repeated.');
  }
  const authorization = headers.get('authorization');
  if (authorization !== null && /^basic\s/i.test(authorization)) {
    const basic = parseBasic(authorization);
    if (!basic) throw invalidClient(ctx, 'client_secret_basic', 'malformed Basic credentials');
    if (formSecret !== null) throw new OAuthError('invalid_request', 'Use only one client authentication method.');
    if (formId !== null && formId !== basic.clientId) throw new OAuthError('invalid_request', 'client_id in the body does not match the Authorization header.');
    return { method: 'client_secret_basic', clientId: basic.clientId, secret: basic.secret };
  }
  if (!formId) throw invalidClient(ctx, 'none', 'no client credentials');
  if (formSecret !== null) return { method: 'client_secret_post', clientId: formId, secret: formSecret };
  return { method: 'none', clientId: formId, secret: null };
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined by ':' and base64-encoded. */
function parseBasic(header: string): { clientId: string; secret: string } | undefined {
  const encoded = header.replace(/^basic\s+/i, '').trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    return clientId && secret ? { clientId, secret } : undefined;
  } catch {
    return undefined;
  }
}

const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '));

function invalidClient(ctx: ServerContext, method: TokenEndpointAuthMethod, detail: string): OAuthError {
  const headers: Record<string, string> = method === 'client_secret_basic' ? { 'www-authenticate': `Basic realm="${ctx.options.issuer}", charset="UTF-8"` } : {};
  return new OAuthError('invalid_client', 'Client authentication failed.', { status: 401, detail, headers, allowRedirect: false });
}
