/**
 * The operator API is guarded by one bearer key (GATEHOUSE_ADMIN_KEY),
 * compared as SHA-256 in constant time. Without a configured key the API
 * does not exist (404), so a forgotten setting never exposes it.
 */
import type { MiddlewareHandler } from 'hono';
import { OAuthError, safeEqual, sha256 } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse, oauthJson } from '../http/oauth-response.ts';

export const OPERATOR = { kind: 'operator', id: 'admin-key' } as const;

export function operatorAuth(ctx: ServerContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const expected = ctx.options.adminKeyHash;
    if (!expected) return oauthJson({ error: 'not_found', error_description: 'No such endpoint.' }, 404);
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([\x21-\x7E]+)$/i.exec(header);
    if (!match || !safeEqual(sha256(match[1]!), expected)) {
      return oauthErrorResponse(new OAuthError('invalid_token', 'A valid operator key is required.', { headers: { 'www-authenticate': 'Bearer realm="gatehouse-admin"' } }));
    }
    await next();
  };
}
