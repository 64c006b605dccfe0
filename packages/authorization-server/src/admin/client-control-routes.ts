/**
 * The HTTP face of client control per org (client-control.ts): the same
 * routes for the operator (under /admin, bearer operator key) and for an
 * org's own admins (under /account/orgs/:org, login session + CSRF, their
 * org only; org-admin.ts). `:org` is the org's id, or for the operator its
 * slug too.
 *
 *   GET  …/clients                 the policy: mode and rules
 *   PUT  …/clients/mode            {"mode": "open" | "allowlist" | "approval"}
 *   POST …/clients/allow|approve   {"client_id": …} or {"host": "claude.ai"}
 *   POST …/clients/block           same; revokes the client's tokens in the org
 *   POST …/clients/remove          same; forgets the rule
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { OAuthError, type Actor } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse, oauthJson } from '../http/oauth-response.ts';
import { ensureBrowserBinding } from '../session/browser.ts';
import { csrfToken } from '../session/csrf.ts';
import { OPERATOR } from './operator-auth.ts';
import { adminPost, binding, requireOrgAdmin } from './org-admin.ts';
import { allowClient, blockClient, describePolicy, removeClientRule, ruleTarget, setClientPolicyMode } from './client-control.ts';

const TargetBody = z.object({ client_id: z.string().optional(), host: z.string().optional() }).strict();
const ModeBody = z.object({ mode: z.enum(['open', 'allowlist', 'approval']) }).strict();

async function body<T>(c: Context<AppEnv>, schema: z.ZodType<T>, shape: string): Promise<T> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) throw new OAuthError('invalid_request', `The body must be ${shape}.`);
  return parsed.data;
}

const targetOf = async (c: Context<AppEnv>) => {
  const parsed = await body(c, TargetBody, '{"client_id": …} or {"host": …}');
  return ruleTarget({ clientId: parsed.client_id, host: parsed.host });
};

/** One action on the org's policy; errors in the OAuth JSON format. */
async function act(ctx: ServerContext, c: Context<AppEnv>, orgId: string, action: string, actor: Actor): Promise<Response> {
  try {
    switch (action) {
      case 'mode':
        await setClientPolicyMode(ctx, orgId, (await body(c, ModeBody, '{"mode": "open" | "allowlist" | "approval"}')).mode, actor);
        return oauthJson({ ok: true });
      case 'allow':
      case 'approve':
        await allowClient(ctx, orgId, await targetOf(c), actor);
        return oauthJson({ ok: true });
      case 'block': {
        const result = await blockClient(ctx, orgId, await targetOf(c), actor);
        return oauthJson({ ok: true, tokens_revoked: result.tokensRevoked, grants_revoked: result.grantsRevoked });
      }
      case 'remove':
        return (await removeClientRule(ctx, orgId, await targetOf(c), actor)) ? oauthJson({ ok: true }) : oauthJson({ error: 'not_found', error_description: 'No such rule.' }, 404);
      default:
        return oauthJson({ error: 'not_found', error_description: 'No such endpoint.' }, 404);
    }
  } catch (error) {
    return oauthErrorResponse(error);
  }
}

const noSuchOrg = (): Response => oauthJson({ error: 'not_found', error_description: 'No such organization.' }, 404);

/** Operator routes; mount after the /admin/* operator guard. */
export function mountOperatorClientControl(app: Hono<AppEnv>, ctx: ServerContext, orgIdOf: (org: string) => Promise<string | undefined>): void {
  app.get('/admin/orgs/:org/clients', async (c) => {
    const orgId = await orgIdOf(c.req.param('org'));
    return orgId ? oauthJson(describePolicy(await ctx.store.clientPolicies.get(orgId))) : noSuchOrg();
  });
  const handler = async (c: Context<AppEnv>) => {
    const orgId = await orgIdOf(c.req.param('org') ?? '');
    return orgId ? act(ctx, c, orgId, c.req.param('action') ?? '', OPERATOR) : noSuchOrg();
  };
  app.put('/admin/orgs/:org/clients/:action{mode}', handler);
  app.post('/admin/orgs/:org/clients/:action{allow|approve|block|remove}', handler);
}

/** Org-admin routes: a member whose role carries gatehouse:org:admin, for their own org only. */
export function mountOrgClientControl(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/account/orgs/:org/clients', async (c) => {
    const orgId = c.req.param('org');
    const admin = await requireOrgAdmin(c, ctx, orgId);
    if (admin instanceof Response) return admin;
    const browser = ensureBrowserBinding(c, ctx);
    const response = oauthJson({ ...describePolicy(await ctx.store.clientPolicies.get(orgId)), csrf_token: csrfToken(browser.secret, binding(admin, orgId)) });
    if (browser.setCookie) response.headers.append('set-cookie', browser.setCookie);
    return response;
  });
  const handler = (c: Context<AppEnv>) => adminPost(c, ctx, (admin, orgId) => act(ctx, c, orgId, c.req.param('action') ?? '', { kind: 'user', id: admin.user.id }));
  app.put('/account/orgs/:org/clients/:action{mode}', handler);
  app.post('/account/orgs/:org/clients/:action{allow|approve|block|remove}', handler);
}
