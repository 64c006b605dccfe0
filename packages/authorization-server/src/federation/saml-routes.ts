/**
 * SAML 2.0 sign-in routes, per organization and provider:
 *
 *   GET  /sso/saml/:org/:provider/metadata  the SP metadata an IdP admin imports
 *   GET  /sso/saml/:org/:provider/login     sends the browser to the IdP (AuthnRequest, HTTP-Redirect)
 *   POST /sso/saml/:org/:provider/acs       the IdP's answer (HTTP-POST): every check, then a one-time ticket
 *   GET  /sso/saml/:org/:provider/complete  this browser's ticket: signs the person in
 *
 * Why the ACS does not sign anyone in itself: the IdP's form POST is a
 * cross-site request, and our cookies are SameSite=Lax, so the browser does
 * not send them with it. The ACS therefore cannot tell which browser it is
 * talking to. Rather than loosen the cookies (SameSite=None would also let
 * every other site's POSTs carry them), the browser binding travels in the
 * store: /login records the AuthnRequest id with the SHA-256 of this
 * browser's cookie; the ACS accepts only a signed assertion whose
 * InResponseTo names such a request, parks the verified identity under a
 * random one-time ticket and answers 303 to /complete. That redirect is a
 * top-level GET, which carries Lax cookies, so /complete can check the
 * ticket belongs to this very browser before signing in. An assertion
 * obtained by an attacker for their own request cannot be planted in a
 * victim's browser (login CSRF), and a ticket seen in a URL is useless
 * elsewhere.
 */
import { randomToken, sha256 } from '@gatehouse-auth/core';
import { SamlRejected, SamlServiceProvider, serviceProviderMetadata, spEndpoints, type FederatedIdentity, type SamlProviderSettings } from '@gatehouse-auth/sso';
import type { Context, Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { loadPending } from '../authorize/pending.ts';
import { localRedirect } from '../authorize/redirect.ts';
import { formField, readPageForm } from '../http/page-form.ts';
import { browserHash, ensureBrowserBinding, readBrowserSecret } from '../session/browser.ts';
import { clientIp } from '../session/client-ip.ts';
import { withCookies } from '../session/cookies.ts';
import { errorPage } from '../views/error-page.ts';

/** The org's SAML provider settings (IdP trust, attribute names), or undefined when the org has no such SAML provider. */
export type SamlProviderLookup = (ctx: ServerContext, org: string, provider: string) => Promise<SamlProviderSettings | undefined>;

/** Signs the person in and continues their pending authorization (completeFederatedSignIn). */
export type FederatedSignIn = (c: Context, ctx: ServerContext, identity: FederatedIdentity, interactionId: string | undefined) => Promise<Response>;

export interface SamlRouteDependencies {
  readonly providers: SamlProviderLookup;
  readonly signIn: FederatedSignIn;
  /**
   * Whether the org has this SAML provider at all, without resolving its IdP
   * metadata: the SP metadata depends only on the URLs, and an admin needs it
   * before the IdP side exists (or while its metadata URL is down).
   * Default: the provider lookup succeeds.
   */
  readonly exists?: (ctx: ServerContext, org: string, provider: string) => Promise<boolean>;
}

/** Time between the ACS and the browser arriving at /complete: one redirect. */
const TICKET_TTL_MS = 2 * 60 * 1000;

interface SignInTicket {
  readonly identity: FederatedIdentity;
  readonly browserHash: string;
  readonly interactionId: string | null;
}

const ticketKey = (ticket: string): string => `ticket:${sha256(ticket)}`;

const FAILED = 'Sign-in with your identity provider failed. Go back to the application and try again; if it keeps failing, ask your administrator.';

/** How often a process clears expired SAML round-trip states and replay-cache keys (expired rows are never honoured; they only take space). */
const PURGE_EVERY_MS = 60_000;

export function mountSamlRoutes(app: Hono<AppEnv>, ctx: ServerContext, deps: SamlRouteDependencies): void {
  let lastPurge = 0;
  /** Piggybacks on sign-in starts, so an idle server does no work and a busy one purges once a minute. */
  const purgeExpiredNowAndThen = async (): Promise<void> => {
    const now = ctx.clock.now();
    if (now - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = now;
    await ctx.store.saml.purgeExpired(now);
  };
  const serviceProvider = async (c: Context): Promise<SamlServiceProvider | undefined> => {
    const org = c.req.param('org');
    const provider = c.req.param('provider');
    if (!org || !provider) return undefined;
    const settings = await deps.providers(ctx, org, provider);
    return settings ? new SamlServiceProvider({ issuer: ctx.options.issuer, settings, state: ctx.store.saml }) : undefined;
  };
  /** 404 when the org has no such provider; 502 when it has one whose IdP trust cannot be resolved (its metadata unreadable). */
  const unknown = async (c?: Context): Promise<Response> => {
    const org = c?.req.param('org');
    const provider = c?.req.param('provider');
    if (c && org && provider && deps.exists && (await deps.exists(ctx, org, provider))) {
      return errorPage(502, 'Sign-in unavailable', "Your organization's identity provider cannot be used right now. Try again later, or ask your administrator.");
    }
    return errorPage(404, 'Not found', 'This organization has no such SAML identity provider.');
  };

  app.get('/sso/saml/:org/:provider/metadata', async (c) => {
    const org = c.req.param('org');
    const provider = c.req.param('provider');
    const known = deps.exists ? await deps.exists(ctx, org, provider) : (await deps.providers(ctx, org, provider)) !== undefined;
    if (!known) return unknown();
    return new Response(serviceProviderMetadata(spEndpoints(ctx.options.issuer, org, provider)), {
      headers: { 'content-type': 'application/samlmetadata+xml; charset=utf-8', 'cache-control': 'no-cache' },
    });
  });

  app.get('/sso/saml/:org/:provider/login', async (c) => {
    const sp = await serviceProvider(c);
    if (!sp) return unknown(c);
    const binding = ensureBrowserBinding(c, ctx);
    const hash = browserHash(binding.secret);
    const interactionId = c.req.query('interaction');
    // A pending authorization is continued only by the browser that started it.
    if (interactionId !== undefined && !(await loadPending(ctx, interactionId, hash))) {
      return errorPage(400, 'Sign-in expired', 'This sign-in request expired or was started in another browser. Go back to the application and start again.');
    }
    await purgeExpiredNowAndThen();
    const { redirectUrl } = await sp.startSignIn({ browserHash: hash, interactionId: interactionId ?? null });
    return withCookies(localRedirect(redirectUrl, 302), binding.setCookie ? [binding.setCookie] : []);
  });

  app.post('/sso/saml/:org/:provider/acs', async (c) => {
    const sp = await serviceProvider(c);
    if (!sp) return unknown(c);
    const form = await readPageForm(c);
    const samlResponse = form ? formField(form, 'SAMLResponse') : undefined;
    if (!samlResponse) return errorPage(400, 'Sign-in failed', FAILED);
    try {
      const accepted = await sp.acceptResponse(samlResponse);
      const ticket = randomToken();
      const parked: SignInTicket = { identity: accepted.identity, browserHash: accepted.request.browserHash, interactionId: accepted.request.interactionId };
      await ctx.store.saml.putState(ticketKey(ticket), parked, Date.now() + TICKET_TTL_MS);
      return localRedirect(`${sp.endpoints.acsUrl.replace(/\/acs$/, '/complete')}?ticket=${ticket}`, 303);
    } catch (error) {
      if (!(error instanceof SamlRejected)) throw error;
      ctx.log('warn', 'SAML response refused', { org: sp.settings.org, provider: sp.settings.provider, reason: error.reason, detail: error.message });
      await ctx.events.publish({ type: 'login.failed', ip: clientIp(c), reason: `saml_${error.reason}` });
      return errorPage(400, 'Sign-in failed', FAILED);
    }
  });

  app.get('/sso/saml/:org/:provider/complete', async (c) => {
    const sp = await serviceProvider(c);
    if (!sp) return unknown(c);
    const ticket = c.req.query('ticket');
    const parked = ticket ? await ctx.store.saml.takeState<SignInTicket>(ticketKey(ticket), Date.now()) : undefined;
    const secret = readBrowserSecret(c, ctx);
    if (!parked || parked.identity.org !== sp.settings.org || parked.identity.provider !== sp.settings.provider || !secret || browserHash(secret) !== parked.browserHash) {
      ctx.log('warn', 'SAML sign-in ticket refused', { org: sp.settings.org, provider: sp.settings.provider, reason: parked ? 'other_browser' : 'unknown_ticket' });
      return errorPage(400, 'Sign-in failed', FAILED);
    }
    return deps.signIn(c, ctx, parked.identity, parked.interactionId ?? undefined);
  });
}
