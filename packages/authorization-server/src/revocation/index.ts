/**
 * POST /revoke (RFC 7009). The client authenticates as it does at /token.
 * §2.2: the answer is 200 whether or not the token was known, so the
 * endpoint cannot be used to probe for valid tokens; a token of another
 * client is left untouched (§2.1 "the authorization server first validates
 * … whether the token was issued to the client making the revocation
 * request"). Revoking a refresh token revokes its whole family: the refresh
 * token and every access token issued from the same authorization (§2.1
 * SHOULD).
 */
import type { Hono } from 'hono';
import { tokenHash, type Client } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse } from '../http/oauth-response.ts';
import { authenticate } from '../token/authenticate.ts';
import { readForm, requireParam } from '../token/form.ts';
import { nodeIncoming, requestHeaders } from '../http/request-headers.ts';
import { requesterAddress } from '../session/client-ip.ts';

export async function revokeTokenOfClient(ctx: ServerContext, client: Client, token: string): Promise<string[]> {
  const record = await ctx.store.tokens.get(tokenHash(token));
  if (!record || record.clientId !== client.id) return [];
  const now = ctx.clock.now();
  const tokenHashes = record.kind === 'refresh' ? await ctx.store.tokens.revokeFamily(record, now) : await ctx.store.tokens.revoke(record.hash, now);
  if (tokenHashes.length > 0) {
    await ctx.events.publish({
      type: 'token.revoked',
      tokenHashes,
      reason: 'revoked_by_client',
      userId: record.userId,
      orgId: record.orgId,
      clientId: client.id,
      actor: { kind: 'client', id: client.id },
    });
  }
  return tokenHashes;
}

export function mountRevocation(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.post('/revoke', async (c) => {
    try {
      const incoming = nodeIncoming(c.env);
      const headers = requestHeaders(c.req.raw, incoming);
      const form = await readForm(c.req.raw, headers, incoming);
      const client = await authenticate(ctx, headers, form, requesterAddress(headers.get('x-forwarded-for'), c.env));
      await revokeTokenOfClient(ctx, client, requireParam(form, 'token'));
      return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
    } catch (error) {
      return oauthErrorResponse(error, (message, fields) => ctx.log('error', message, fields));
    }
  });
}
