/**
 * Revocation by an organization's own admin (issue #3 §7: "by the user, an
 * org admin and the operator"). An org admin is a member whose role carries
 * the `gatehouse:org:admin` permission; their reach stops at their org: a
 * grant or member of another org is answered exactly like a missing one.
 * JSON over the login session, CSRF-checked like every form.
 */
import { Hono, type Context } from 'hono';
import { safeEqual, sha256 } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthJson } from '../http/oauth-response.ts';
import { ensureBrowserBinding } from '../session/browser.ts';
import { checkCsrf, csrfToken } from '../session/csrf.ts';
import { currentSession, type ActiveSession } from '../session/current-session.ts';
import { revokeGrant, revokeUserTokens } from './revocation.ts';

/** The role permission that makes a member an admin of their organization. */
export const ORG_ADMIN_PERMISSION = 'gatehouse:org:admin';

const notFound = (what: string): Response => oauthJson({ error: 'not_found', error_description: `No such ${what}.` }, 404);
export const binding = (active: ActiveSession, orgId: string): string => `org-admin:${active.session.id}:${orgId}`;

export async function isOrgAdmin(ctx: ServerContext, userId: string, orgId: string): Promise<boolean> {
  const membership = await ctx.store.orgs.getMembership(userId, orgId);
  if (!membership) return false;
  for (const name of membership.roles) {
    if ((await ctx.store.roles.get(name))?.permissions.includes(ORG_ADMIN_PERMISSION)) return true;
  }
  return false;
}

/** The signed-in org admin, or the response that refuses the request. */
export async function requireOrgAdmin(c: Context<AppEnv>, ctx: ServerContext, orgId: string): Promise<ActiveSession | Response> {
  const active = await currentSession(c, ctx);
  if (!active) return oauthJson({ error: 'login_required', error_description: 'Sign in first.' }, 401);
  if (!(await isOrgAdmin(ctx, active.user.id, orgId))) {
    return oauthJson({ error: 'access_denied', error_description: 'Only an admin of this organization may do this.' }, 403);
  }
  return active;
}

async function submittedCsrf(c: Context<AppEnv>): Promise<unknown> {
  const header = c.req.header('x-csrf-token');
  if (header !== undefined) return header;
  if ((c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return (await c.req.parseBody())['csrf'];
  return undefined;
}

async function listOrgGrants(c: Context<AppEnv>, ctx: ServerContext): Promise<Response> {
  const orgId = c.req.param('org') ?? '';
  const admin = await requireOrgAdmin(c, ctx, orgId);
  if (admin instanceof Response) return admin;
  const grants = [];
  for (const member of await ctx.store.orgs.listMembers(orgId)) {
    const user = await ctx.store.users.get(member.userId);
    for (const grant of await ctx.store.grants.listForUser(member.userId)) {
      if (grant.orgId !== orgId || grant.revokedAt !== null) continue;
      grants.push({ id: grant.id, user_id: grant.userId, user_email: user?.email ?? null, client_id: grant.clientId, resource: grant.resource, scopes: grant.scopes, updated_at: grant.updatedAt });
    }
  }
  const browser = ensureBrowserBinding(c, ctx);
  const response = oauthJson({ grants, csrf_token: csrfToken(browser.secret, binding(admin, orgId)) });
  if (browser.setCookie) response.headers.append('set-cookie', browser.setCookie);
  return response;
}

/** Runs `act` for a verified org admin after the CSRF check. */
export async function adminPost(c: Context<AppEnv>, ctx: ServerContext, act: (admin: ActiveSession, orgId: string) => Promise<Response>): Promise<Response> {
  const orgId = c.req.param('org') ?? '';
  const admin = await requireOrgAdmin(c, ctx, orgId);
  if (admin instanceof Response) return admin;
  if (checkCsrf(c, ctx, await submittedCsrf(c), binding(admin, orgId))) {
    return oauthJson({ error: 'access_denied', error_description: 'This request could not be verified.' }, 403);
  }
  return act(admin, orgId);
}

export function mountOrgAdmin(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/account/orgs/:org/grants', (c) => listOrgGrants(c, ctx));
  app.post('/account/orgs/:org/grants/:id/revoke', (c) =>
    adminPost(c, ctx, async (admin, orgId) => {
      const grant = await ctx.store.grants.get(c.req.param('id') ?? '');
      if (!grant || grant.orgId !== orgId || grant.revokedAt !== null) return notFound('grant');
      const outcome = await revokeGrant(ctx, grant.id, { kind: 'user', id: admin.user.id });
      return oauthJson({ ok: true, tokens_revoked: outcome.tokensRevoked });
    }),
  );
  app.post('/account/orgs/:org/members/:user/revoke-tokens', (c) =>
    adminPost(c, ctx, async (admin, orgId) => {
      const userId = c.req.param('user') ?? '';
      if (!(await ctx.store.orgs.getMembership(userId, orgId))) return notFound('member');
      const outcome = await revokeUserTokens(ctx, userId, 'revoked_by_admin', { kind: 'user', id: admin.user.id }, orgId);
      return oauthJson({ ok: true, tokens_revoked: outcome.tokensRevoked });
    }),
  );
}

/**
 * Mounts an org-scoped admin sub-app (the audit query routes, issue 16 §4)
 * at `/account/orgs/:org/<name>`: reachable by a signed-in admin of that
 * org (401 without a session, 403 for anyone else, members and admins of
 * other orgs alike) or with the operator key (bearer). `:org` is the org's
 * id or slug; the sub-app learns the org only from `orgIdOf`, never from
 * the request.
 */
export function mountOrgAdminApp(app: Hono<AppEnv>, ctx: ServerContext, name: string, build: (orgIdOf: (c: Context) => string | undefined) => Hono): void {
  const verified = new WeakMap<Request, string>();
  const guard = new Hono<AppEnv>();
  guard.use('*', async (c, next) => {
    const param = c.req.param('org') ?? '';
    const org = (await ctx.store.orgs.get(param)) ?? (await ctx.store.orgs.getBySlug(param));
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer ([\x21-\x7E]+)$/i.exec(header);
      const expected = ctx.options.adminKeyHash;
      if (!match || !expected || !safeEqual(sha256(match[1]!), expected)) {
        return oauthJson({ error: 'invalid_token', error_description: 'A valid operator key is required.' }, 401, { 'www-authenticate': 'Bearer realm="gatehouse-admin"' });
      }
      if (!org) return notFound('organization');
    } else {
      const admin = await requireOrgAdmin(c, ctx, org?.id ?? param);
      if (admin instanceof Response) return admin;
    }
    verified.set(c.req.raw, org!.id);
    await next();
  });
  guard.route(
    '/',
    build((c) => verified.get(c.req.raw)),
  );
  app.route(`/account/orgs/:org/${name}`, guard);
}
