/**
 * Step 2 of /authorize: everything after the client and redirect_uri are
 * trusted. Errors here are OAuthErrors the endpoint redirects to the client
 * (with state and iss). Order follows what a client most needs to know first.
 */
import { GENERIC_SCOPES, OAuthError, canonicalResourceUri, parseScopeParam, type Client, type ProtectedResource } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { clientScopeCeiling } from '../clients/scope-ceiling.ts';
import type { RawParams } from './params.ts';

export type Prompt = 'none' | 'login' | 'consent' | 'select_account';
const PROMPTS: ReadonlySet<string> = new Set(['none', 'login', 'consent', 'select_account']);

export interface AuthorizationRequest {
  client: Client;
  redirectUri: string;
  state: string | null;
  resource: ProtectedResource;
  /** Catalogue scopes asked for (generic scopes removed). */
  scopes: string[];
  /** `offline_access` was asked for: the token endpoint may issue a refresh token. */
  offlineAccess: boolean;
  codeChallenge: string;
  prompts: Prompt[];
}

/** RFC 7636 §4.2: S256 of a 32..96-byte verifier is always 32 bytes, i.e. 43 base64url characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const SINGLE_VALUED = ['response_type', 'response_mode', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'prompt'];

export function checkResponseType(params: RawParams, client: Client): void {
  const repeated = SINGLE_VALUED.find((name) => params.repeated.has(name));
  if (repeated) throw new OAuthError('invalid_request', `The ${repeated} parameter appears more than once.`);
  const responseType = params.get('response_type');
  if (!responseType) throw new OAuthError('invalid_request', 'response_type is required.');
  if (responseType !== 'code') throw new OAuthError('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.grantTypes.includes('authorization_code')) throw new OAuthError('unauthorized_client', 'This client may not use the authorization code grant.');
  const mode = params.get('response_mode');
  if (mode !== undefined && mode !== 'query') throw new OAuthError('invalid_request', 'Only response_mode=query is supported.');
}

/** PKCE is required and S256 only (OAuth 2.1 §4.1.1, MCP [S]); an absent method would mean `plain`. */
export function checkPkce(params: RawParams): string {
  const challenge = params.get('code_challenge');
  if (!challenge) throw new OAuthError('invalid_request', 'code_challenge is required (PKCE, S256).');
  const method = params.get('code_challenge_method');
  if (method === undefined) throw new OAuthError('invalid_request', 'code_challenge_method is required and must be S256.');
  if (method !== 'S256') throw new OAuthError('invalid_request', 'code_challenge_method must be S256.');
  if (!S256_CHALLENGE.test(challenge)) throw new OAuthError('invalid_request', 'code_challenge must be 43 base64url characters.');
  return challenge;
}

/** RFC 8707 §2: one absolute resource URI without fragment, naming a configured protected resource. */
export async function checkResource(ctx: ServerContext, params: RawParams): Promise<ProtectedResource> {
  if (params.repeated.has('resource')) throw new OAuthError('invalid_target', 'Ask for one resource per authorization request.');
  const value = params.get('resource');
  if (!value) throw new OAuthError('invalid_target', 'resource is required (RFC 8707).');
  const canonical = canonicalResourceUri(value);
  if (!canonical) throw new OAuthError('invalid_target', 'resource must be an absolute https URI without a fragment.');
  const resource = await ctx.store.resources.get(canonical);
  if (!resource) throw new OAuthError('invalid_target', 'Unknown resource.', { detail: `no protected resource ${canonical}` });
  return resource;
}

/** RFC 6749 §3.3. Generic scopes are accepted and ignored, except offline_access. */
export async function checkScopes(ctx: ServerContext, params: RawParams, client: Client, resource: ProtectedResource): Promise<{ scopes: string[]; offlineAccess: boolean }> {
  const parsed = parseScopeParam(params.get('scope'));
  if (!parsed) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  const clientAllows = clientScopeCeiling(client);
  const scopes: string[] = [];
  for (const name of parsed) {
    if (GENERIC_SCOPES.has(name)) continue;
    if (!resource.scopes.includes(name) || !(await ctx.store.scopes.get(name))) {
      throw new OAuthError('invalid_scope', `The resource does not offer the scope ${name}.`);
    }
    if (clientAllows && !clientAllows.has(name)) throw new OAuthError('invalid_scope', `This client may not request the scope ${name}.`);
    scopes.push(name);
  }
  return { scopes, offlineAccess: parsed.includes('offline_access') };
}

export function checkPrompt(params: RawParams): Prompt[] {
  const value = params.get('prompt');
  if (!value) return [];
  const prompts = value.split(' ').filter((p): p is Prompt => PROMPTS.has(p));
  if (prompts.includes('none') && prompts.length > 1) throw new OAuthError('invalid_request', 'prompt=none cannot be combined with other prompts.');
  return prompts;
}

export async function validateAuthorizationRequest(ctx: ServerContext, params: RawParams, client: Client, redirectUri: string): Promise<AuthorizationRequest> {
  const state = params.repeated.has('state') ? null : (params.get('state') ?? null);
  checkResponseType(params, client);
  const codeChallenge = checkPkce(params);
  const resource = await checkResource(ctx, params);
  const { scopes, offlineAccess } = await checkScopes(ctx, params, client, resource);
  const prompts = checkPrompt(params);
  return { client, redirectUri, state, resource, scopes, offlineAccess, codeChallenge, prompts };
}
