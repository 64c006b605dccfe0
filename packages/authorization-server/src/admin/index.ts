/**
 * Operator revocation API under /admin (bearer operator key). Each route is
 * a thin shell over admin/revocation.ts, which the CLI calls directly.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { OAuthError } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse, oauthJson } from '../http/oauth-response.ts';
import { OPERATOR, operatorAuth } from './operator-auth.ts';
import { mountOperatorClientControl } from './client-control-routes.ts';
import { rotateClientSecret } from './client-secret.ts';
import { disableClient, disableUser, removeMember, revokeGrant, revokeUserTokens, setMemberRoles, type RevocationOutcome } from './revocation.ts';

export * from './revocation.ts';
export * from './client-control.ts';
export * from './client-secret.ts';

const RotateBody = z.object({ overlap_seconds: z.number().int().min(0), expires_in_seconds: z.number().int().positive().optional() }).strict();
const RolesBody = z.object({ roles: z.array(z.string().min(1).max(100)).max(50) });

const outcome = (result: RevocationOutcome, what: string): Response =>
  result.found ? oauthJson({ ok: true, tokens_revoked: result.tokensRevoked }) : oauthJson({ error: 'not_found', error_description: `No such ${what}.` }, 404);

/** `:org` may be the organization's id or its slug (what config files use). */
async function orgIdOf(ctx: ServerContext, org: string): Promise<string | undefined> {
  return (await ctx.store.orgs.get(org))?.id ?? (await ctx.store.orgs.getBySlug(org))?.id;
}

async function parseRoles(ctx: ServerContext, c: Context<AppEnv>): Promise<string[]> {
  const parsed = RolesBody.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) throw new OAuthError('invalid_request', 'The body must be {"roles": [role names]}.');
  const roles = [...new Set(parsed.data.roles)];
  const known = new Set((await ctx.store.roles.list()).map((role) => role.name));
  const unknown = roles.filter((role) => !known.has(role));
  if (unknown.length > 0) throw new OAuthError('invalid_request', `Unknown role: ${unknown.join(', ')}.`);
  return roles;
}

export function mountAdmin(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.use('/admin/*', operatorAuth(ctx));
  app.post('/admin/grants/:id/revoke', async (c) => outcome(await revokeGrant(ctx, c.req.param('id'), OPERATOR), 'grant'));
  app.post('/admin/users/:id/revoke-tokens', async (c) => outcome(await revokeUserTokens(ctx, c.req.param('id'), 'revoked_by_admin', OPERATOR), 'user'));
  app.post('/admin/users/:id/disable', async (c) => outcome(await disableUser(ctx, c.req.param('id'), OPERATOR), 'user'));
  // The new secret is in this answer only (no-store, like every admin answer).
  app.post('/admin/clients/:id/rotate-secret', async (c) => {
    try {
      const parsed = RotateBody.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) throw new OAuthError('invalid_request', 'The body must be {"overlap_seconds": n, "expires_in_seconds"?: n}.');
      const rotated = await rotateClientSecret(
        ctx,
        c.req.param('id'),
        { overlapMs: parsed.data.overlap_seconds * 1000, expiresInMs: parsed.data.expires_in_seconds === undefined ? null : parsed.data.expires_in_seconds * 1000 },
        OPERATOR,
      );
      if (!rotated) return oauthJson({ error: 'not_found', error_description: 'No such client.' }, 404);
      return oauthJson({
        client_id: rotated.clientId,
        client_secret: rotated.secret,
        client_secret_expires_at: rotated.expiresAt === null ? 0 : Math.floor(rotated.expiresAt / 1000),
        previous_secret_valid_until: Math.floor(rotated.previousValidUntil / 1000),
      });
    } catch (error) {
      return oauthErrorResponse(error);
    }
  });
  app.post('/admin/clients/:id/disable', async (c) => outcome(await disableClient(ctx, c.req.param('id'), OPERATOR), 'client'));
  app.delete('/admin/orgs/:org/members/:user', async (c) => {
    const orgId = await orgIdOf(ctx, c.req.param('org'));
    return outcome(orgId ? await removeMember(ctx, orgId, c.req.param('user'), OPERATOR) : { found: false, tokensRevoked: 0 }, 'membership');
  });
  mountOperatorClientControl(app, ctx, (org) => orgIdOf(ctx, org));
  app.put('/admin/orgs/:org/members/:user/roles', async (c) => {
    try {
      const orgId = await orgIdOf(ctx, c.req.param('org'));
      const roles = await parseRoles(ctx, c);
      return outcome(orgId ? await setMemberRoles(ctx, orgId, c.req.param('user'), roles, OPERATOR) : { found: false, tokensRevoked: 0 }, 'membership');
    } catch (error) {
      return oauthErrorResponse(error);
    }
  });
}
