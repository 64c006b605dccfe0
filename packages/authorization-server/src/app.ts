/**
 * Composes the authorization server: one Hono app, feature routes mounted
 * from their folders. Each feature exports `mountX(app, ctx)`; this file
 * only decides the order. Endpoints reach storage through ctx.store only.
 */
import { Hono } from 'hono';
import { pooledRandomToken } from './random-pool.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { oauthErrorResponse } from './http/oauth-response.ts';
import { securityHeaders } from './http/security-headers.ts';
import { bodyLimit } from './http/body-limit.ts';
import { mountDiscovery } from './discovery/index.ts';
import { mountRegistration } from './clients/index.ts';
import { mountKeys } from './keys/index.ts';
import { mountToken } from './token/index.ts';
import { mountIntrospection } from './introspection/index.ts';
import { mountRevocation } from './revocation/index.ts';
import { mountRevocationStream } from './events-stream/index.ts';
import { mountAdmin } from './admin/index.ts';
import { mountAccount } from './admin/account.ts';
import { mountOrgAdmin } from './admin/org-admin.ts';
import { mountOrgClientControl } from './admin/client-control-routes.ts';
import { mountAuthorize } from './authorize/index.ts';
import { mountSession } from './session/index.ts';
import { mountSaml } from './federation/saml-mount.ts';
import { mountInteraction } from './interaction/index.ts';
import { mountFederation } from './federation/index.ts';
import { mountApprovals } from './approvals/index.ts';

export type FeatureMount = (app: Hono<AppEnv>, ctx: ServerContext) => void;

/** Feature mounts in the order their routes are registered. */
const FEATURES: FeatureMount[] = [
  mountDiscovery,
  mountRegistration,
  mountKeys,
  mountToken,
  mountIntrospection,
  mountRevocation,
  mountRevocationStream,
  mountAdmin,
  mountAccount,
  mountOrgAdmin,
  mountOrgClientControl,
  mountAuthorize,
  mountSession,
  mountSaml,
  mountInteraction,
  mountFederation,
  mountApprovals,
];

export function createAuthorizationServerApp(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    // Pooled: a randomBytes call per request was ~5% of the token endpoint's CPU.
    c.set('requestId', pooledRandomToken(9));
    await next();
  });
  app.use('*', securityHeaders);
  // Before every route: no handler may read a body the limit has not vetted.
  app.use('*', bodyLimit(ctx));
  for (const mount of FEATURES) mount(app, ctx);
  serveUnderIssuerPath(app, ctx);
  app.notFound(() => new Response(JSON.stringify({ error: 'not_found', error_description: 'No such endpoint.' }), { status: 404, headers: { 'content-type': 'application/json' } }));
  app.onError((error) => oauthErrorResponse(error, (message, fields) => ctx.log('error', message, fields)));
  return app;
}

/**
 * An issuer with a path (`https://as.example/tenant-a`) has its endpoints
 * under that path (RFC 8414 §2, §3.1: metadata advertises
 * `<issuer>/authorize`, …). Features mount their routes at the root; a
 * request under the issuer path that no feature claimed is answered as the
 * same request without the prefix.
 */
function serveUnderIssuerPath(app: Hono<AppEnv>, ctx: ServerContext): void {
  const prefix = new URL(ctx.options.issuer).pathname.replace(/\/$/, '');
  if (!prefix) return;
  app.all(`${prefix}/*`, (c) => {
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice(prefix.length);
    return app.fetch(new Request(url, c.req.raw), c.env);
  });
}
