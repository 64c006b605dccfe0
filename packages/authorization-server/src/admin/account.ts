/**
 * Self-service for signed-in people: see which clients hold access on their
 * behalf and take it back (seed 002: "user-initiated" revocation through
 * connector management must be effective immediately). JSON over the login
 * session cookie; the revoke POST is CSRF-checked like every other form
 * (session/csrf.ts), with the token bound to this session.
 */
import type { Context, Hono } from 'hono';
import type { Grant } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthJson } from '../http/oauth-response.ts';
import { ensureBrowserBinding } from '../session/browser.ts';
import { checkCsrf, csrfToken } from '../session/csrf.ts';
import { currentSession, type ActiveSession } from '../session/current-session.ts';
import { revokeGrant } from './revocation.ts';

const binding = (active: ActiveSession): string => `account:${active.session.id}`;
const loginRequired = (): Response => oauthJson({ error: 'login_required', error_description: 'Sign in first.' }, 401);

async function describeGrant(ctx: ServerContext, grant: Grant) {
  const client = await ctx.store.clients.get(grant.clientId);
  return {
    id: grant.id,
    client_id: grant.clientId,
    client_name: client?.name ?? grant.clientId,
    resource: grant.resource,
    org_id: grant.orgId,
    scopes: grant.scopes,
    created_at: grant.createdAt,
    updated_at: grant.updatedAt,
  };
}

async function listGrants(c: Context<AppEnv>, ctx: ServerContext): Promise<Response> {
  const active = await currentSession(c, ctx);
  if (!active) return loginRequired();
  const grants = (await ctx.store.grants.listForUser(active.user.id)).filter((grant) => grant.revokedAt === null);
  const browser = ensureBrowserBinding(c, ctx);
  const response = oauthJson({ grants: await Promise.all(grants.map((grant) => describeGrant(ctx, grant))), csrf_token: csrfToken(browser.secret, binding(active)) });
  if (browser.setCookie) response.headers.append('set-cookie', browser.setCookie);
  return response;
}

async function submittedCsrf(c: Context<AppEnv>): Promise<unknown> {
  const header = c.req.header('x-csrf-token');
  if (header !== undefined) return header;
  if ((c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return (await c.req.parseBody())['csrf'];
  return undefined;
}

async function revokeOwnGrant(c: Context<AppEnv>, ctx: ServerContext): Promise<Response> {
  const active = await currentSession(c, ctx);
  if (!active) return loginRequired();
  if (checkCsrf(c, ctx, await submittedCsrf(c), binding(active))) {
    return oauthJson({ error: 'access_denied', error_description: 'This request could not be verified.' }, 403);
  }
  const grant = await ctx.store.grants.get(c.req.param('id') ?? '');
  // Someone else's grant is answered exactly like a missing one.
  if (!grant || grant.userId !== active.user.id || grant.revokedAt !== null) return oauthJson({ error: 'not_found', error_description: 'No such grant.' }, 404);
  const outcome = await revokeGrant(ctx, grant.id, { kind: 'user', id: active.user.id });
  return oauthJson({ ok: true, tokens_revoked: outcome.tokensRevoked });
}

export function mountAccount(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/account/grants', (c) => listGrants(c, ctx));
  app.post('/account/grants/:id/revoke', (c) => revokeOwnGrant(c, ctx));
}
