/** GET /jwks.json: the public signing keys (RFC 7517), so resource servers verify JWT access tokens offline. */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { publishedJwks } from './signing-keys.ts';

export { activeSigningKey, ensureSigningKey, rotateSigningKey, publishedJwks } from './signing-keys.ts';

export function mountKeys(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/jwks.json', async () => {
    const keys = await publishedJwks(ctx);
    return new Response(JSON.stringify({ keys }), {
      headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
    });
  });
}
