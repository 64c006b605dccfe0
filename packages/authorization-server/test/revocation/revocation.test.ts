import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken, tokenHash } from '@gatehouse-auth/core';
import { basic, createFixture, introspect, issueCode, post, redeem, token, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(() => fx.close());

async function aliceTokens(clientId = 'public-app') {
  const { body } = await redeem(fx, await issueCode(fx, { clientId }), {}, clientId);
  return { access: body.access_token!, refresh: body.refresh_token! };
}

const revoke = (value: string, clientId = 'public-app', hint?: string) => post(fx, '/revoke', { token: value, client_id: clientId, ...(hint ? { token_type_hint: hint } : {}) });

describe('RFC 7009 token revocation', () => {
  it('answers 200 with no body for an unknown token (§2.2)', async () => {
    const response = await revoke(randomToken());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('revokes an access token: introspection then answers {"active":false}', async () => {
    const { access } = await aliceTokens();
    expect((await revoke(access)).status).toBe(200);
    expect(await introspect(fx, access)).toEqual({ active: false });
  });

  it('revoking a refresh token kills the access tokens of the same grant (§2.1)', async () => {
    const { access, refresh } = await aliceTokens();
    const refreshed = await token(fx, { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'public-app' });
    await revoke(refreshed.body.refresh_token!, 'public-app', 'refresh_token');
    expect(await introspect(fx, access)).toEqual({ active: false });
    expect(await introspect(fx, refreshed.body.access_token!)).toEqual({ active: false });
    const again = await token(fx, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token!, client_id: 'public-app' });
    expect(again.body.error).toBe('invalid_grant');
  });

  it("answers 200 but leaves another client's token untouched", async () => {
    const { access, refresh } = await aliceTokens();
    expect((await revoke(access, 'other-app')).status).toBe(200);
    expect((await revoke(refresh, 'other-app')).status).toBe(200);
    expect(await introspect(fx, access)).toMatchObject({ active: true });
    expect(fx.events.some((event) => event.type === 'token.revoked')).toBe(false);
  });

  it('publishes token.revoked with the hashes revoked', async () => {
    const { access } = await aliceTokens();
    await revoke(access);
    expect(fx.events.find((event) => event.type === 'token.revoked')).toMatchObject({ tokenHashes: [tokenHash(access)], reason: 'revoked_by_client', clientId: 'public-app' });
  });

  it('requires a confidential client to authenticate (401 invalid_client)', async () => {
    const issued = await issueCode(fx, { clientId: 'web-app' });
    const tokens = await token(
      fx,
      { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'http://127.0.0.1/cb', resource: 'https://mcp.example.com/mcp' },
      basic('web-app'),
    );
    const unauthenticated = await revoke(tokens.body.access_token!, 'web-app');
    expect(unauthenticated.status).toBe(401);
    expect(await introspect(fx, tokens.body.access_token!)).toMatchObject({ active: true });
    const authenticated = await post(fx, '/revoke', { token: tokens.body.access_token! }, basic('web-app'));
    expect(authenticated.status).toBe(200);
    expect(await introspect(fx, tokens.body.access_token!)).toEqual({ active: false });
  });

  it('answers invalid_request without a token parameter', async () => {
    const response = await post(fx, '/revoke', { client_id: 'public-app' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });
});
