/**
 * The admin API of enterprise sign-in. The operator (bearer key, under
 * /admin, guarded by operatorAuth) manages an org's identity providers and
 * setup links; an org's own admin (login session + CSRF, their org only)
 * creates setup links for the company's IT. `:org` is the org's id or slug.
 *
 *   GET    /admin/orgs/:org/identity-providers        list (secrets never shown)
 *   PUT    /admin/orgs/:org/identity-providers/:id    {"type": "oidc", "issuer": …, …}
 *   DELETE /admin/orgs/:org/identity-providers/:id    (not one the config file manages)
 *   POST   /admin/orgs/:org/setup-links               {"expires_in_seconds"?: n} → {url, expires_at}
 *   POST   /admin/orgs/:org/setup-links/revoke        every live link of the org
 *   POST   /account/orgs/:org/setup-links             the same, for the org's admin
 *   GET    /admin/orgs/:org/domains                   the org's domains and their TXT records
 *   POST   /admin/orgs/:org/domains                   {"name": "acme.com"} → the TXT record to publish
 *   POST   /admin/orgs/:org/domains/:name/verify      looks the TXT record up
 *   DELETE /admin/orgs/:org/domains/:name
 */
import { OAuthError, type Actor } from '@gatehouse-auth/core';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse, oauthJson } from '../http/oauth-response.ts';
import { OPERATOR } from '../admin/operator-auth.ts';
import { adminPost } from '../admin/org-admin.ts';
import { describeProvider, putIdentityProvider, removeIdentityProvider } from './provider-admin.ts';
import { createSetupLink, DEFAULT_SETUP_LINK_TTL_MS } from './setup-links.ts';
import { challengeRecordName, claimDomain, verifyDomainByDns } from './domain-verification.ts';
import type { OrgDomain } from '@gatehouse-auth/store';

const DomainBody = z.object({ name: z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i) }).strict();
const describeDomain = (d: OrgDomain) => ({
  name: d.name,
  verified_by: d.verifiedBy,
  verified_at: d.verifiedAt === null ? null : Math.floor(d.verifiedAt / 1000),
  txt_record: { name: challengeRecordName(d.name), value: d.challenge },
});
const LinkBody = z
  .object({
    expires_in_seconds: z
      .number()
      .int()
      .positive()
      .max(30 * 24 * 3600)
      .optional(),
  })
  .strict();
const notFound = (what: string): Response => oauthJson({ error: 'not_found', error_description: `No such ${what}.` }, 404);

async function orgIdOf(ctx: ServerContext, org: string): Promise<string | undefined> {
  return (await ctx.store.orgs.get(org))?.id ?? (await ctx.store.orgs.getBySlug(org))?.id;
}

async function newLink(ctx: ServerContext, c: Context<AppEnv>, orgId: string, actor: Actor): Promise<Response> {
  const text = await c.req.text();
  const parsed = LinkBody.safeParse(text.trim() === '' ? {} : JSON.parse(text));
  if (!parsed.success) throw new OAuthError('invalid_request', 'The body must be {"expires_in_seconds"?: n} (at most 30 days).');
  const link = await createSetupLink(
    { ...ctx, issuer: ctx.options.issuer },
    orgId,
    actor,
    parsed.data.expires_in_seconds === undefined ? DEFAULT_SETUP_LINK_TTL_MS : parsed.data.expires_in_seconds * 1000,
  );
  return oauthJson({ url: link.url, expires_at: Math.floor(link.expiresAt / 1000) }, 201);
}

/** Runs `act` with the org's id for the operator; OAuth JSON errors. */
const operator = (ctx: ServerContext, act: (c: Context<AppEnv>, orgId: string) => Promise<Response>) => async (c: Context<AppEnv>) => {
  try {
    const orgId = await orgIdOf(ctx, c.req.param('org') ?? '');
    if (!orgId) return notFound('organization');
    return await act(c, orgId);
  } catch (error) {
    if (error instanceof SyntaxError) return oauthErrorResponse(new OAuthError('invalid_request', 'The body is not JSON.'));
    return oauthErrorResponse(error);
  }
};

export function mountFederationAdmin(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get(
    '/admin/orgs/:org/identity-providers',
    operator(ctx, async (_c, orgId) => oauthJson({ identity_providers: (await ctx.store.federation.listProviders(orgId)).map(describeProvider) })),
  );
  app.put(
    '/admin/orgs/:org/identity-providers/:id',
    operator(ctx, async (c, orgId) => {
      const body = await c.req.json().catch(() => {
        throw new OAuthError('invalid_request', 'The body is not JSON.');
      });
      return oauthJson(describeProvider(await putIdentityProvider(ctx, orgId, c.req.param('id') ?? '', body, 'admin_api', OPERATOR)));
    }),
  );
  app.delete(
    '/admin/orgs/:org/identity-providers/:id',
    operator(ctx, async (c, orgId) =>
      (await removeIdentityProvider(ctx, orgId, c.req.param('id') ?? '', OPERATOR)) ? oauthJson({ ok: true }) : notFound('identity provider (or it is managed by the config file)'),
    ),
  );
  app.post(
    '/admin/orgs/:org/setup-links',
    operator(ctx, (c, orgId) => newLink(ctx, c, orgId, OPERATOR)),
  );
  app.post(
    '/admin/orgs/:org/setup-links/revoke',
    operator(ctx, async (_c, orgId) => oauthJson({ ok: true, revoked: await ctx.store.federation.revokeSetupLinks(orgId, ctx.clock.now()) })),
  );
  app.get(
    '/admin/orgs/:org/domains',
    operator(ctx, async (_c, orgId) => oauthJson({ domains: (await ctx.store.federation.listDomains(orgId)).map(describeDomain) })),
  );
  app.post(
    '/admin/orgs/:org/domains',
    operator(ctx, async (c, orgId) => {
      const parsed = DomainBody.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) throw new OAuthError('invalid_request', 'The body must be {"name": "<domain>"}.');
      const domain = await claimDomain(ctx.store, orgId, parsed.data.name, ctx.clock.now());
      await ctx.events.publish({ type: 'org.updated', orgId, actor: OPERATOR });
      return oauthJson(describeDomain(domain), 201);
    }),
  );
  app.post(
    '/admin/orgs/:org/domains/:name/verify',
    operator(ctx, async (c, orgId) => {
      const result = await verifyDomainByDns(ctx.store, orgId, c.req.param('name') ?? '', ctx.clock.now(), ctx.options.federation?.resolveTxt);
      if (result.status === 'unknown_domain') return notFound('domain');
      if (result.status === 'taken') return oauthJson({ error: 'invalid_request', error_description: 'Another organization verified this domain first.' }, 409);
      if (result.status === 'record_missing') return oauthJson({ error: 'invalid_request', error_description: `No TXT record ${result.recordName} with the expected value yet.` }, 409);
      await ctx.events.publish({ type: 'org.updated', orgId, actor: OPERATOR });
      return oauthJson(describeDomain(result.domain));
    }),
  );
  app.delete(
    '/admin/orgs/:org/domains/:name',
    operator(ctx, async (c, orgId) => {
      if (!(await ctx.store.federation.removeDomain(orgId, c.req.param('name') ?? ''))) return notFound('domain');
      await ctx.events.publish({ type: 'org.updated', orgId, actor: OPERATOR });
      return oauthJson({ ok: true });
    }),
  );
  app.post('/account/orgs/:org/setup-links', (c) =>
    adminPost(c, ctx, async (admin, orgId) => {
      try {
        return await newLink(ctx, c, orgId, { kind: 'user', id: admin.user.id });
      } catch (error) {
        if (error instanceof SyntaxError) return oauthErrorResponse(new OAuthError('invalid_request', 'The body is not JSON.'));
        return oauthErrorResponse(error);
      }
    }),
  );
}
