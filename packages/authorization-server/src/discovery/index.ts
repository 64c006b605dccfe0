/**
 * mountDiscovery: serves the metadata documents at every well-known URI a
 * client may derive from the issuer (RFC 8414 §3, OIDC Discovery §4, MCP
 * probe order). Public, cacheable, identical for everyone.
 */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { metadataRoutes } from './issuer-paths.ts';
import { authorizationServerMetadata, openIdConfiguration, type AuthorizationServerMetadata } from './metadata.ts';

export { authorizationServerMetadata, openIdConfiguration, type AuthorizationServerMetadata } from './metadata.ts';
export { issuerPath, endpointUrl, metadataRoutes } from './issuer-paths.ts';

const CACHE_SECONDS = 300;

export function mountDiscovery(app: Hono<AppEnv>, ctx: ServerContext): void {
  const routes = metadataRoutes(ctx.options.issuer);
  for (const path of routes.oauth) app.get(path, async () => metadataResponse(await authorizationServerMetadata(ctx)));
  for (const path of routes.openid) app.get(path, async () => metadataResponse(await openIdConfiguration(ctx)));
}

function metadataResponse(body: AuthorizationServerMetadata): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': `public, max-age=${CACHE_SECONDS}`,
      // Browser-based MCP clients (inspectors) read metadata cross-origin.
      'access-control-allow-origin': '*',
    },
  });
}
