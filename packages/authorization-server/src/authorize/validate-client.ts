/**
 * Step 1 of /authorize: who is asking and where the answer goes. Until both
 * are verified nothing may be redirected (RFC 6749 §4.1.2.1, RFC 9700
 * §4.11.2 open redirector): every error here is rendered locally.
 */
import { OAuthError, type Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { matchRedirectUri, resolveClient } from './client-port.ts';
import type { RawParams } from './params.ts';

export interface VerifiedTarget {
  client: Client;
  redirectUri: string;
}

const local = (description: string, detail?: string): OAuthError => new OAuthError('invalid_request', description, { allowRedirect: false, ...(detail ? { detail } : {}) });

export async function verifyClientAndRedirectUri(ctx: ServerContext, params: RawParams, requester?: string): Promise<VerifiedTarget> {
  if (params.repeated.has('client_id') || params.repeated.has('redirect_uri')) {
    throw local('client_id and redirect_uri must each appear once.');
  }
  const clientId = params.get('client_id');
  if (!clientId) throw local('The request has no client_id.');
  const client = await resolveClient(ctx, clientId, requester);
  if (client.status !== 'active') throw new OAuthError('invalid_client', 'This client is disabled.', { status: 400, allowRedirect: false });
  const requested = params.get('redirect_uri');
  if (requested === undefined) {
    // OAuth 2.1 §4.1.1: redirect_uri may be omitted only when exactly one is registered.
    const only = client.redirectUris.length === 1 ? client.redirectUris[0] : undefined;
    if (only === undefined) throw local('The request has no redirect_uri and the client registered several.');
    return { client, redirectUri: only };
  }
  if (!matchRedirectUri(client, requested)) {
    throw local('The redirect_uri is not registered for this client.', `unregistered redirect_uri for ${client.id}`);
  }
  return { client, redirectUri: requested };
}
