/**
 * SCIM in the composed server (issue 13, item 3): each organization's
 * directory provisions at `/scim/v2/<org>/…` with the org's bearer token,
 * its groups mapped to roles by the org's directory mapping (the one SSO
 * sign-in uses, `store.federation` settings); the operator
 * API creates and rotates that token (`POST /admin/orgs/:org/scim-token`,
 * `…/scim-token/rotate`, under the operator key like every /admin route).
 */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '@gatehouse-auth/authorization-server';
import { createScimApp, issueScimToken, ScimTokenExistsError, ScimTokenMissingError, type ScimTokenMode } from '@gatehouse-auth/scim';

const OPERATOR = { kind: 'operator', id: 'admin-key' } as const;

const json = (body: unknown, status = 200): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });

export function mountScim(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.route(
    '/scim/v2',
    createScimApp({
      store: ctx.store,
      events: ctx.events,
      clock: ctx.clock,
      baseUrl: ctx.options.issuer,
      // The org's group → role mapping as SSO sign-in reads it (config `directory:`, or the admin API), read at each sync.
      groupRoles: async (org) => {
        const settings = await ctx.store.federation.getSettings(org.id);
        return { groupRoles: settings.groupRoles, defaultRoles: settings.defaultRoles };
      },
      log: (level, message, fields) => ctx.log(level, message, fields),
    }),
  );
  const issue = (mode: ScimTokenMode) => async (c: { req: { param: (name: string) => string | undefined } }) => {
    const param = c.req.param('org') ?? '';
    const org = (await ctx.store.orgs.getBySlug(param)) ?? (await ctx.store.orgs.get(param));
    if (!org) return json({ error: 'not_found', error_description: 'No such organization.' }, 404);
    try {
      const { token } = await issueScimToken({ store: ctx.store, clock: ctx.clock, events: ctx.events, actor: OPERATOR }, org.id, mode);
      // The token is in this answer only: it is stored as its SHA-256.
      return json({ org: org.slug, scim_base_url: `${ctx.options.issuer.replace(/\/$/, '')}/scim/v2/${org.slug}`, token });
    } catch (error) {
      if (error instanceof ScimTokenExistsError) return json({ error: 'conflict', error_description: error.message }, 409);
      if (error instanceof ScimTokenMissingError) return json({ error: 'not_found', error_description: error.message }, 404);
      throw error;
    }
  };
  // Under /admin/*: the operator-key middleware mounted by the authorization server guards these.
  app.post('/admin/orgs/:org/scim-token', issue('create'));
  app.post('/admin/orgs/:org/scim-token/rotate', issue('rotate'));
}
