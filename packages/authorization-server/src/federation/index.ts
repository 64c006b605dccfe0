/** Mounts enterprise sign-in (issue 13): the OIDC start and callback routes per org and provider. */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { finishOidcSignIn, startOidcSignIn } from './oidc-routes.ts';

export function mountFederation(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/sso/:org/:provider/start', (c) => startOidcSignIn(c, ctx));
  app.get('/sso/:org/:provider/callback', (c) => finishOidcSignIn(c, ctx));
}
