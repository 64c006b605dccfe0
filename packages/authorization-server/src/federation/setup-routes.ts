/**
 * GET /setup/:token and its forms: the company's IT configures the org's
 * OIDC identity provider through a setup link. Every request re-checks the
 * link (expired or revoked: the same 404 page as an unknown one) and acts
 * on the link's org only; forms carry a CSRF token bound to the link.
 */
import { OAuthError } from '@gatehouse-auth/core';
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { formField, readPageForm } from '../http/page-form.ts';
import { localRedirect } from '../authorize/redirect.ts';
import { ensureBrowserBinding } from '../session/browser.ts';
import { withCookies } from '../session/cookies.ts';
import { checkCsrf, csrfToken } from '../session/csrf.ts';
import { errorPage } from '../views/error-page.ts';
import { htmlResponse } from '../views/layout.ts';
import { setupPage } from '../views/setup-page.ts';
import { providerLabel } from './providers.ts';
import { putIdentityProvider, removeIdentityProvider } from './provider-admin.ts';
import { openSetupLink, setupLinkActor } from './setup-links.ts';
import type { SetupLink } from '@gatehouse-auth/store';
import { issueScimToken } from '@gatehouse-auth/scim';

const gone = (): Promise<Response> => errorPage(404, 'Link not valid', 'This setup link does not exist, has expired or was revoked. Ask your administrator for a new one.');

async function render(c: Context, ctx: ServerContext, link: SetupLink, token: string, status: number, notes: { message?: string; error?: string; scimToken?: string } = {}): Promise<Response> {
  const org = await ctx.store.orgs.get(link.orgId);
  if (!org) return gone();
  const binding = ensureBrowserBinding(c, ctx);
  const providers = (await ctx.store.federation.listProviders(org.id)).map((p) => ({ id: p.id, type: p.type, source: p.source, label: providerLabel(p), removable: p.source !== 'config' }));
  const page = setupPage({
    issuer: ctx.options.issuer,
    orgSlug: org.slug,
    orgName: org.name,
    action: `${ctx.options.issuer}/setup/${token}`,
    csrf: csrfToken(binding.secret, `setup:${link.tokenHash}`),
    expiresAt: link.expiresAt,
    providers,
    hasScimToken: await ctx.store.scim.hasToken(org.id),
    ...notes,
  });
  // The link is the credential: keep it out of Referer headers and caches (htmlResponse: no-store, no-referrer).
  return withCookies(await htmlResponse(status, page), binding.setCookie ? [binding.setCookie] : []);
}

export async function showSetup(c: Context, ctx: ServerContext): Promise<Response> {
  const token = c.req.param('token') ?? '';
  const link = await openSetupLink(ctx, token);
  if (!link) return gone();
  const saved = c.req.query('saved');
  return render(c, ctx, link, token, 200, saved ? { message: `Saved identity provider ${saved.slice(0, 63)}.` } : {});
}

/** A form POST on a live link with a valid CSRF token, or the page that refuses it. */
async function verifiedForm(c: Context, ctx: ServerContext): Promise<{ link: SetupLink; token: string; form: Record<string, string | string[]> } | Response> {
  const token = c.req.param('token') ?? '';
  const link = await openSetupLink(ctx, token);
  if (!link) return gone();
  const form = await readPageForm(c);
  if (!form) return errorPage(400, 'Request refused', 'The form was not understood. Go back, reload the page and try again.');
  if (checkCsrf(c, ctx, form['csrf'], `setup:${link.tokenHash}`)) return errorPage(403, 'Request refused', 'This form could not be verified. Go back, reload the page and try again.');
  return { link, token, form };
}

type FormField = (name: string) => string | undefined;

const oidcFromForm = (field: FormField) => ({
  type: 'oidc',
  ...(field('name') ? { name: field('name') } : {}),
  issuer: field('issuer'),
  client_id: field('client_id'),
  ...(field('client_secret') ? { client_secret: field('client_secret') } : {}),
  scopes: ['openid', 'email', 'profile', ...(field('groups_claim') === 'groups' ? ['groups'] : [])],
  claims: { groups: field('groups_claim') ?? 'groups', email_verified: field('email_verified_claim') ?? 'email_verified' },
});

/** A SAML IdP as its console shows it: entity id, SSO URL and the signing certificate (PEM), plus the attribute names it sends. */
const samlFromForm = (field: FormField) => ({
  type: 'saml',
  ...(field('name') ? { name: field('name') } : {}),
  entity_id: field('entity_id'),
  sso_url: field('sso_url'),
  certificates: field('certificate') ? [field('certificate')] : undefined,
  attributes: { email: field('email_attribute') ?? 'email', name: field('name_attribute') ?? 'name', groups: field('groups_attribute') ?? 'groups' },
});

export async function saveSetupProvider(c: Context, ctx: ServerContext): Promise<Response> {
  const verified = await verifiedForm(c, ctx);
  if (verified instanceof Response) return verified;
  const { link, token, form } = verified;
  const field = (name: string): string | undefined => formField(form, name)?.trim() || undefined;
  const id = field('id') ?? '';
  const body = field('type') === 'saml' ? samlFromForm(field) : oidcFromForm(field);
  try {
    await putIdentityProvider(ctx, link.orgId, id, body, 'setup_link', setupLinkActor(link));
  } catch (error) {
    if (error instanceof OAuthError) return render(c, ctx, link, token, 400, { error: error.message });
    throw error;
  }
  return localRedirect(`${ctx.options.issuer}/setup/${token}?saved=${encodeURIComponent(id)}`, 303);
}

export async function removeSetupProvider(c: Context, ctx: ServerContext): Promise<Response> {
  const verified = await verifiedForm(c, ctx);
  if (verified instanceof Response) return verified;
  const { link, token } = verified;
  const id = c.req.param('id') ?? '';
  if (!(await removeIdentityProvider(ctx, link.orgId, id, setupLinkActor(link)))) return render(c, ctx, link, token, 404, { error: `No removable identity provider ${id}.` });
  return render(c, ctx, link, token, 200, { message: `Removed identity provider ${id}.` });
}

/** Creates the org's SCIM token, or rotates it when one exists; the new token is shown on this answer only. */
export async function issueSetupScimToken(c: Context, ctx: ServerContext): Promise<Response> {
  const verified = await verifiedForm(c, ctx);
  if (verified instanceof Response) return verified;
  const { link, token } = verified;
  const mode = (await ctx.store.scim.hasToken(link.orgId)) ? 'rotate' : 'create';
  const issued = await issueScimToken({ store: ctx.store, clock: ctx.clock, events: ctx.events, actor: setupLinkActor(link) }, link.orgId, mode);
  return render(c, ctx, link, token, 200, { message: mode === 'rotate' ? 'SCIM token rotated.' : 'SCIM token created.', scimToken: issued.token });
}
