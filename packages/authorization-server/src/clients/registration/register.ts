/**
 * Dynamic client registration (RFC 7591 §3). The server generates the
 * client_id (never a URL: `https://` ids are reserved for metadata
 * documents, so a registered client can never impersonate one) and, for
 * confidential clients, a secret that is returned once and stored as its
 * SHA-256. A registration access token (RFC 7592) is issued and stored
 * hashed too.
 */
import { OAuthError, newId, parseScopeParam, randomToken, sha256, type Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../../context.ts';
import { describeIssue, firstRedirectUriProblem, inferApplicationType } from '../metadata-fields.ts';
import { registrationRequestSchema, type RegistrationRequest } from './schema.ts';

export interface Registered {
  client: Client;
  secret: string | null;
  registrationAccessToken: string;
}

export async function registerClient(ctx: ServerContext, body: unknown): Promise<Registered> {
  const request = parseRequest(ctx, body);
  const now = ctx.clock.now();
  const secret = request.token_endpoint_auth_method === 'none' ? null : randomToken(32);
  const registrationAccessToken = randomToken(32);
  const client: Client = {
    id: newId('client'),
    kind: 'dynamic',
    name: request.client_name ?? 'Unnamed client',
    redirectUris: request.redirect_uris,
    grantTypes: request.grant_types,
    tokenEndpointAuthMethod: request.token_endpoint_auth_method,
    secretHash: secret === null ? null : sha256(secret),
    applicationType: request.application_type ?? inferApplicationType(request.redirect_uris),
    logoUri: request.logo_uri ?? null,
    clientUri: request.client_uri ?? null,
    policyUri: request.policy_uri ?? null,
    tosUri: request.tos_uri ?? null,
    scope: request.scope ?? null,
    orgId: null,
    roles: [],
    // Anyone can register: never a resource server (introspection, revocation stream); only config makes one.
    resourceServerFor: [],
    status: 'active',
    registrationAccessTokenHash: sha256(registrationAccessToken),
    metadataExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.clients.create(client);
  await ctx.events.publish({ type: 'client.registered', clientId: client.id });
  return { client, secret, registrationAccessToken };
}

function parseRequest(ctx: ServerContext, body: unknown): RegistrationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuthError('invalid_client_metadata', 'The registration request must be a JSON object.');
  }
  const uris = (body as Record<string, unknown>).redirect_uris;
  if (Array.isArray(uris) && uris.length > ctx.options.dynamicRegistration.maxRedirectUris) {
    throw new OAuthError('invalid_redirect_uri', `At most ${ctx.options.dynamicRegistration.maxRedirectUris} redirect URIs may be registered.`);
  }
  const parsed = registrationRequestSchema.safeParse(body);
  if (!parsed.success) {
    const onRedirects = parsed.error.issues.some((issue) => issue.path[0] === 'redirect_uris');
    throw new OAuthError(onRedirects ? 'invalid_redirect_uri' : 'invalid_client_metadata', describeIssue(parsed.error));
  }
  const request = parsed.data;
  const problem = firstRedirectUriProblem(request.redirect_uris);
  if (problem) throw new OAuthError('invalid_redirect_uri', problem);
  if (request.application_type === 'web' && request.redirect_uris.some((uri) => !uri.startsWith('https://'))) {
    // OIDC Registration §2: web clients use https redirects; loopback and private-use schemes are for native apps.
    throw new OAuthError('invalid_redirect_uri', 'A web client must use https redirect URIs; register as application_type "native" for loopback or app schemes.');
  }
  // RFC 7591 §2.1: authorization_code goes with response type code; a client with no code grant has no use here.
  if (!request.grant_types.includes('authorization_code')) {
    throw new OAuthError('invalid_client_metadata', 'grant_types must include authorization_code.');
  }
  if (request.scope !== undefined && parseScopeParam(request.scope) === undefined) {
    throw new OAuthError('invalid_client_metadata', 'scope is not a valid space-delimited list of scope tokens.');
  }
  return request;
}
