/**
 * Client authentication for /token, /introspect, /revoke and the revocation
 * stream: delegated to the clients module (client_secret_basic,
 * client_secret_post, none), which throws invalid_client (401). Successful
 * authentications are remembered briefly (authentication-cache.ts).
 */
import { OAuthError, type Client } from '@gatehouse-auth/core';
import { authenticateClient } from '../clients/index.ts';
import { secretsLiveUntil } from '../clients/authenticate.ts';
import type { ServerContext } from '../context.ts';
import { cachedClient, credentialsKey, rememberClient } from './authentication-cache.ts';
import type { FormParams } from './form.ts';
import type { RequestHeaders } from '../http/request-headers.ts';

/**
 * The asking client's address, or how to work it out: only a cache miss
 * needs it (a first-seen metadata document counts against its network's
 * limit), and behind trusted proxies working it out walks X-Forwarded-For.
 */
export type Requester = string | (() => string);

export async function authenticate(ctx: ServerContext, headers: RequestHeaders, form: FormParams, requesterOrLookup?: Requester): Promise<Client> {
  const key = credentialsKey(headers.get('authorization'), form.client_id, form.client_secret);
  const cached = cachedClient(ctx, key);
  if (cached) return cached;
  const requester = typeof requesterOrLookup === 'function' ? requesterOrLookup() : requesterOrLookup;
  // Only the credential parameters matter to authentication; repeats were already rejected by readForm.
  const credentials = new URLSearchParams();
  if (form.client_id !== undefined) credentials.set('client_id', form.client_id);
  if (form.client_secret !== undefined) credentials.set('client_secret', form.client_secret);
  const client = await authenticateClient(ctx, { headers, form: credentials, ...(requester === undefined ? {} : { requester }) });
  rememberClient(ctx, key, client, secretsLiveUntil(client, ctx.clock.now()));
  return client;
}

/**
 * RFC 7662 §2.1 and the revocation stream: only confidential clients (those
 * that proved a secret) may ask about tokens they do not hold.
 */
export async function authenticateConfidential(ctx: ServerContext, headers: RequestHeaders, form: FormParams, requester?: Requester): Promise<Client> {
  const client = await authenticate(ctx, headers, form, requester);
  if (client.tokenEndpointAuthMethod === 'none') {
    throw new OAuthError('invalid_client', 'Client authentication is required.', {
      headers: { 'www-authenticate': 'Basic realm="gatehouse"' },
      detail: 'public client cannot introspect',
    });
  }
  return client;
}

/** Only clients an operator configured can serve resources; dynamic and metadata-document clients never (issue 10). */
export const servesAsResourceServer = (client: Client): boolean => (client.kind === 'preregistered' || client.kind === 'service') && client.resourceServerFor.length > 0;

/**
 * /introspect and /revocations/stream: a confidential client registered (in
 * config) as the resource server of at least one resource. Anyone else,
 * however well authenticated, is refused as 401 invalid_client: these
 * credentials are not resource-server credentials (RFC 7662 §2.1 leaves the
 * authorization of callers to the AS and warns of token scanning, §4).
 */
export async function authenticateResourceServer(ctx: ServerContext, headers: RequestHeaders, form: FormParams, requester?: Requester): Promise<Client> {
  const client = await authenticateConfidential(ctx, headers, form, requester);
  if (!servesAsResourceServer(client)) {
    throw new OAuthError('invalid_client', 'This client is not registered as a resource server.', {
      headers: { 'www-authenticate': `Basic realm="${ctx.options.issuer}", charset="UTF-8"` },
      detail: `client ${client.id} (${client.kind}) serves no resource`,
    });
  }
  return client;
}
