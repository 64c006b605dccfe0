/** Mounts enterprise sign-in (issue 13): OIDC start and callback per org and provider, setup links, and their admin API. */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { finishOidcSignIn, startOidcSignIn } from './oidc-routes.ts';
import { mountFederationAdmin } from './admin-routes.ts';
import { issueSetupScimToken, removeSetupProvider, saveSetupProvider, showSetup } from './setup-routes.ts';

export function mountFederation(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/sso/:org/:provider/start', (c) => startOidcSignIn(c, ctx));
  app.get('/sso/:org/:provider/callback', (c) => finishOidcSignIn(c, ctx));
  app.get('/setup/:token', (c) => showSetup(c, ctx));
  app.post('/setup/:token/identity-providers', (c) => saveSetupProvider(c, ctx));
  app.post('/setup/:token/identity-providers/:id/remove', (c) => removeSetupProvider(c, ctx));
  app.post('/setup/:token/scim-token', (c) => issueSetupScimToken(c, ctx));
  mountFederationAdmin(app, ctx);
}
