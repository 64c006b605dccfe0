/**
 * Security catalogue, OAuth 2.1 / RFC 9700 "Binding and expiry": a code
 * presented with another client's valid credentials is refused
 * (OpenID conformance `…ensure-authorization-code-is-bound-to-client`).
 * The public-client variant is in token/authorization-code.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, createFixture, introspect, issueCode, redeem, REDIRECT, RESOURCE, token, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
  const webApp = await fx.store.clients.get('web-app');
  await fx.store.clients.create({ ...webApp!, id: 'web-app-2', name: 'Another confidential client' });
});
afterEach(() => fx.close());

const redeemAs = (clientId: string, code: string, verifier: string) =>
  token(fx, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, resource: RESOURCE }, basic(clientId));

describe('OAuth 2.1 §4.1.3 code bound to its client', () => {
  it("rejects a code used with another confidential client's valid credentials (invalid_grant, no token)", async () => {
    const issued = await issueCode(fx, { clientId: 'web-app' });
    const stolen = await redeemAs('web-app-2', issued.code, issued.verifier);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe('invalid_grant');
    expect(stolen.body.access_token).toBeUndefined();
    expect(fx.events.some((event) => event.type === 'token.issued')).toBe(false);
  });

  it("still issues the rightful client's token when it authenticates as itself", async () => {
    const issued = await issueCode(fx, { clientId: 'web-app' });
    const own = await redeemAs('web-app', issued.code, issued.verifier);
    expect(own.status).toBe(200);
    expect(await introspect(fx, own.body.access_token!)).toMatchObject({ active: true, client_id: 'web-app' });
  });
});

describe("RFC 6749 §4.1.3 token-request redirect_uri identical to the authorization request's", () => {
  // The code was issued for http://127.0.0.1/cb: the loopback port exception of /authorize does not apply here.
  it.each(['http://127.0.0.1:5555/cb', 'http://127.0.0.1:80/cb', 'http://localhost/cb', 'HTTP://127.0.0.1/cb', 'http://127.0.0.1/cb?x=1'])(
    'rejects %s with invalid_grant and issues nothing',
    async (uri) => {
      const { status, body } = await redeem(fx, await issueCode(fx), { redirect_uri: uri });
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_grant');
      expect(body.access_token).toBeUndefined();
    },
  );
});
