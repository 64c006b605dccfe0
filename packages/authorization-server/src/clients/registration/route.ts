/**
 * mountRegistration: POST <issuer>/register (RFC 7591) and the RFC 7592 read
 * of a registration, GET <issuer>/register/:client_id with the registration
 * access token as a Bearer token. Mounted only when DCR is enabled (MCP
 * 2026-07-28 deprecates DCR; many clients still use it).
 */
import type { Hono } from 'hono';
import { OAuthError, safeEqual, sha256 } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../../context.ts';
import { oauthErrorResponse, oauthJson } from '../../http/oauth-response.ts';
import { endpointUrl, issuerPath } from '../../discovery/issuer-paths.ts';
import { readJsonBody } from './body.ts';
import { enforceRegistrationRateLimit } from './rate-limit.ts';
import { registerClient } from './register.ts';
import { clientInformation } from './response.ts';

export function mountRegistration(app: Hono<AppEnv>, ctx: ServerContext): void {
  if (!ctx.options.dynamicRegistration.enabled) return;
  const path = `${issuerPath(ctx.options.issuer)}/register`;
  const clientUri = (id: string): string => endpointUrl(ctx.options.issuer, `/register/${encodeURIComponent(id)}`);
  const fail = (error: unknown): Response => oauthErrorResponse(error, (message, fields) => ctx.log('error', message, fields));

  app.post(path, async (c) => {
    try {
      await enforceRegistrationRateLimit(ctx, c);
      const body = await readJsonBody(c.req.raw, ctx.options.dynamicRegistration.maxBodyBytes);
      const { client, secret, registrationAccessToken } = await registerClient(ctx, body);
      ctx.log('info', 'client registered', { clientId: client.id, method: client.tokenEndpointAuthMethod });
      return oauthJson(clientInformation(client, { secret, registrationAccessToken, registrationClientUri: clientUri(client.id) }), 201);
    } catch (error) {
      return fail(error);
    }
  });

  app.get(`${path}/:clientId`, async (c) => {
    try {
      const id = c.req.param('clientId');
      const client = await ctx.store.clients.get(id);
      const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      // RFC 7592 §2.1: an unknown client and a wrong token look the same (401), so ids cannot be probed.
      if (!client || !presented || client.registrationAccessTokenHash === null || !safeEqual(sha256(presented), client.registrationAccessTokenHash)) {
        throw new OAuthError('invalid_token', 'The registration access token is invalid.', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      }
      return oauthJson(clientInformation(client, { registrationClientUri: clientUri(client.id) }));
    } catch (error) {
      return fail(error);
    }
  });
}
