/**
 * GET /sso/:org/:provider/start and /callback: sign-in through an org's
 * OIDC identity provider. The start keeps state, nonce and the PKCE
 * verifier in the store under the state's SHA-256, bound to this browser,
 * for ten minutes; the callback takes them once (a replayed or foreign
 * callback finds nothing), lets the relying party check the IdP's answer,
 * and hands the identity to completeFederatedSignIn.
 */
import { sha256 } from '@gatehouse-auth/core';
import type { OidcPendingSignIn } from '@gatehouse-auth/sso';
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { browserHash, ensureBrowserBinding, readBrowserSecret } from '../session/browser.ts';
import { clientIp } from '../session/client-ip.ts';
import { withCookies } from '../session/cookies.ts';
import { errorPage } from '../views/error-page.ts';
import { findProvider, oidcCallbackUri } from './providers.ts';
import { oidcRelyingParty } from './relying-parties.ts';
import { completeFederatedSignIn } from './sign-in.ts';

const STATE_TTL_MS = 10 * 60_000;
const INTERACTION = /^ia_[A-Za-z0-9_-]{1,100}$/;

interface PendingOidcSignIn {
  org: string;
  provider: string;
  /** SHA-256 of the browser binding that started it: a callback in another browser is refused (login CSRF). */
  browser: string;
  interactionId: string | undefined;
  oidc: OidcPendingSignIn;
}

const stateKey = (state: string): string => `sso_${sha256(`oidc-state:${state}`)}`;

const unavailable = (): Promise<Response> => errorPage(502, 'Sign-in unavailable', "Your organization's identity provider cannot be used right now. Try again later, or ask your administrator.");

const notFound = (): Promise<Response> => errorPage(404, 'Sign-in failed', 'This organization has no such identity provider.');

export async function startOidcSignIn(c: Context, ctx: ServerContext): Promise<Response> {
  const slug = c.req.param('org') ?? '';
  const providerId = c.req.param('provider') ?? '';
  const found = await findProvider(ctx, slug, providerId);
  if (!found || found.provider.type !== 'oidc') return notFound();
  const handle = await oidcRelyingParty(ctx, found.provider);
  if ('error' in handle) {
    ctx.log('error', 'identity provider unavailable', { org: slug, provider: providerId, reason: handle.error });
    return unavailable();
  }
  const interaction = c.req.query('interaction');
  const binding = ensureBrowserBinding(c, ctx);
  const { url, pending } = await handle.relyingParty.start(oidcCallbackUri(ctx, slug, providerId));
  const saved: PendingOidcSignIn = {
    org: slug,
    provider: providerId,
    browser: browserHash(binding.secret),
    interactionId: interaction && INTERACTION.test(interaction) ? interaction : undefined,
    oidc: pending,
  };
  await ctx.store.interactions.put(stateKey(pending.state), saved, ctx.clock.now() + STATE_TTL_MS);
  const response = new Response(null, { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } });
  return withCookies(response, binding.setCookie ? [binding.setCookie] : []);
}

export async function finishOidcSignIn(c: Context, ctx: ServerContext): Promise<Response> {
  const slug = c.req.param('org') ?? '';
  const providerId = c.req.param('provider') ?? '';
  const parameters = new URL(c.req.url).searchParams;
  const state = parameters.get('state');
  const secret = readBrowserSecret(c, ctx);
  const saved = state ? await takePending(ctx, state) : undefined;
  const refuse = async (reason: string, detail?: string): Promise<Response> => {
    ctx.log('warn', 'federated sign-in refused', { org: slug, provider: providerId, reason, ...(detail ? { detail } : {}) });
    await ctx.events.publish({ type: 'login.failed', ip: clientIp(c), reason: `sso_${reason}` });
    return errorPage(400, 'Sign-in failed', 'The answer from your identity provider could not be accepted. Start signing in again.');
  };
  if (!saved || !secret || saved.browser !== browserHash(secret) || saved.org !== slug || saved.provider !== providerId) return refuse('unknown_state');
  const found = await findProvider(ctx, slug, providerId);
  if (!found || found.provider.type !== 'oidc') return notFound();
  const handle = await oidcRelyingParty(ctx, found.provider);
  if ('error' in handle) {
    ctx.log('error', 'identity provider unavailable', { org: slug, provider: providerId, reason: handle.error });
    return unavailable();
  }
  let identity: Awaited<ReturnType<typeof handle.relyingParty.finish>>;
  try {
    identity = await handle.relyingParty.finish(parameters, saved.oidc, slug);
  } catch (error) {
    // The library's messages name the failed check, never a token or code value.
    return refuse('rejected', describe(error));
  }
  return completeFederatedSignIn(c, ctx, identity, saved.interactionId);
}

/** One use: whoever presents the state first takes it. */
async function takePending(ctx: ServerContext, state: string): Promise<PendingOidcSignIn | undefined> {
  const key = stateKey(state);
  const saved = await ctx.store.interactions.get<PendingOidcSignIn>(key, ctx.clock.now());
  if (saved) await ctx.store.interactions.delete(key);
  return saved;
}

function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: unknown; cause?: unknown; code?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as typeof e, depth++) {
    parts.push([typeof e.code === 'string' ? e.code : '', typeof e.message === 'string' ? e.message : ''].filter(Boolean).join(': '));
  }
  return parts.join(' <- ').slice(0, 500);
}
