/**
 * GET/POST /authorize (RFC 6749 §4.1.1, OAuth 2.1 §4.1, RFC 7636, RFC 8707,
 * RFC 9207) as named steps:
 *   1. verifyClientAndRedirectUri: unknown client or unregistered
 *      redirect_uri → local error page, never a redirect (§4.1.2.1);
 *   2. validateAuthorizationRequest: response_type, PKCE S256, resource,
 *      scope, prompt → errors redirected with state and iss (for clients
 *      anyone could register, only once the user has signed in);
 *   3. park the request (browser-bound) and advance: login → org → consent → code.
 */
import type { Hono, Context } from 'hono';
import { isOAuthError } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { errorPage } from '../views/error-page.ts';
import { browserHash, ensureBrowserBinding } from '../session/browser.ts';
import { withCookies } from '../session/cookies.ts';
import { advance } from '../interaction/advance.ts';
import { readAuthorizationParams } from './params.ts';
import { verifyClientAndRedirectUri } from './validate-client.ts';
import { validateAuthorizationRequest } from './validate-request.ts';
import { createHeldError, createPending, trustsRedirect } from './pending.ts';
import { currentSession } from '../session/current-session.ts';
import { errorRedirect } from './redirect.ts';
import { clientIp } from '../session/client-ip.ts';

async function authorize(c: Context<AppEnv>, ctx: ServerContext): Promise<Response> {
  const params = await readAuthorizationParams(c);
  let target;
  try {
    target = await verifyClientAndRedirectUri(ctx, params, clientIp(c));
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    ctx.log('info', 'authorize: request rejected before redirect', { code: error.code, detail: error.detail });
    // 401 would promise a WWW-Authenticate challenge a browser page cannot answer.
    return errorPage(error.status === 401 ? 400 : error.status, 'Authorization failed', error.message, error.code);
  }
  let request;
  try {
    request = await validateAuthorizationRequest(ctx, params, target.client, target.redirectUri);
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    const state = params.repeated.has('state') ? null : (params.get('state') ?? null);
    if (trustsRedirect(target.client) || (await currentSession(c, ctx))) {
      const redirectTarget = { redirectUri: target.redirectUri, state, issuer: ctx.options.issuer };
      return errorRedirect(redirectTarget, error.code, error.message, c.req.method === 'POST' ? 303 : 302);
    }
    // An untrusted client's redirect URI is reached only by signed-in users (RFC 9700 §4.11.2).
    const binding = ensureBrowserBinding(c, ctx);
    const held = await createHeldError(ctx, { ...target, state }, { code: error.code, description: error.message }, browserHash(binding.secret));
    return withCookies(await advance(c, ctx, held, 'authorize', binding.secret), binding.setCookie ? [binding.setCookie] : []);
  }
  const binding = ensureBrowserBinding(c, ctx);
  const pending = await createPending(ctx, request, browserHash(binding.secret));
  const response = await advance(c, ctx, pending, 'authorize', binding.secret);
  return withCookies(response, binding.setCookie ? [binding.setCookie] : []);
}

export function mountAuthorize(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.on(['GET', 'POST'], '/authorize', (c) => authorize(c, ctx));
}
