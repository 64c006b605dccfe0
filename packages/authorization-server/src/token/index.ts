/**
 * POST /token (OAuth 2.1 §3.2) as named steps: no caching, parse the form,
 * authenticate the client, dispatch to the grant type's handler. Every
 * answer, success or error, carries Cache-Control: no-store (§5.1).
 */
import type { Hono } from 'hono';
import { OAuthError, type Client } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { answerResponse, oauthAnswer, oauthErrorAnswer, type OAuthAnswer } from '../http/oauth-response.ts';
import { authenticate } from './authenticate.ts';
import { readEndpointForm, requireParam, type FormParams } from './form.ts';
import { honoEndpointRequest, type EndpointRequest } from '../http/endpoint-request.ts';
import { requesterAddress } from '../session/client-ip.ts';
import { authorizationCodeGrant } from './grants/authorization-code.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';
import type { GrantHandler } from './grants/types.ts';

export const GRANT_HANDLERS: Readonly<Record<string, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

/** §4.1.3 etc.: a client may use only the grant types it registered. */
function checkGrantAllowed(client: Client, grantType: string): GrantHandler {
  const handler = Object.hasOwn(GRANT_HANDLERS, grantType) ? GRANT_HANDLERS[grantType] : undefined;
  if (!handler) throw new OAuthError('unsupported_grant_type', 'The grant type is not supported.');
  // A refresh token is only ever issued to a client allowed to use it, so refresh_token is implied by holding one.
  if (grantType !== 'refresh_token' && !client.grantTypes.includes(grantType)) {
    throw new OAuthError('unauthorized_client', 'The client is not allowed to use this grant type.');
  }
  return handler;
}

/** `caller.clientId` is set once the client is authenticated, for the answer's clientId (errors after that included). */
async function handleTokenRequest(ctx: ServerContext, request: EndpointRequest, caller: { clientId?: string }): Promise<OAuthAnswer> {
  const { headers } = request;
  const form: FormParams = await readEndpointForm(request);
  const grantType = requireParam(form, 'grant_type');
  // The address the server worked out (socket peer and trusted proxies), as /introspect counts it: a first-seen metadata
  // document counts against that network's client-creation limit, which a client choosing its own X-Forwarded-For would dodge.
  const client = await authenticate(ctx, headers, form, () => requesterAddress(headers.get('x-forwarded-for'), request.bindings));
  caller.clientId = client.id;
  const handler = checkGrantAllowed(client, grantType);
  return oauthAnswer(await handler(ctx, client, form));
}

/** POST /token's whole answer, errors included: the Hono route and the server's node-level route both call this. */
export async function answerTokenRequest(ctx: ServerContext, request: EndpointRequest): Promise<OAuthAnswer> {
  const caller: { clientId?: string } = {};
  let answer: OAuthAnswer;
  try {
    answer = await handleTokenRequest(ctx, request, caller);
  } catch (error) {
    const log = request.log ?? ctx.log;
    logFailure(log, error);
    answer = oauthErrorAnswer(error, (message, fields) => log('error', message, fields));
  }
  if (caller.clientId !== undefined) answer.clientId = caller.clientId;
  return answer;
}

export function mountToken(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.post('/token', async (c) => answerResponse(await answerTokenRequest(ctx, honoEndpointRequest(c))));
}

/** The internal reason goes to the log, never to the client (OAuthError.detail). */
function logFailure(log: ServerContext['log'], error: unknown): void {
  if (error instanceof OAuthError && error.status < 500) {
    log('info', 'token request rejected', { error: error.code, detail: error.detail });
  }
}
