/**
 * A scripted OpenID provider answering through customFetch (no network):
 * discovery, JWKS, token and userinfo endpoints, with an ID token whose
 * claims and signing key a test may bend to check what the relying party
 * refuses. Signs RS256 with node:crypto.
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const ISSUER = 'https://idp.acme.test';
export const CLIENT_ID = 'gatehouse-acme';
export const REDIRECT_URI = 'https://gatehouse.test/sso/acme/okta/callback';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function keyPair(): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' } };
}

export function signJwt(claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

export interface FakeIdp {
  fetch: (url: string) => Promise<Response>;
  /** Claims of the next ID token (a function of the nonce the token request's code carried). */
  idTokenClaims: (nonce: string) => Record<string, unknown>;
  userinfo: Record<string, unknown>;
  /** Sign with a key the JWKS does not publish. */
  signWithStrangerKey: boolean;
  /** The nonce the IdP saw at /authorize (what it puts in the ID token). */
  authorizeNonce: string;
  userinfoCalls: number;
}

export function fakeIdp(): FakeIdp {
  const key = keyPair();
  const stranger = keyPair();
  const now = () => Math.floor(Date.now() / 1000);
  const idp: FakeIdp = {
    authorizeNonce: '',
    userinfoCalls: 0,
    signWithStrangerKey: false,
    userinfo: {},
    idTokenClaims: (nonce) => ({ iss: ISSUER, aud: CLIENT_ID, sub: 'okta-dave', nonce, iat: now(), exp: now() + 300, email: 'dave@acme.test', email_verified: true, name: 'Dave', groups: ['eng'] }),
    async fetch(url) {
      const { pathname } = new URL(url);
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      if (pathname === '/.well-known/openid-configuration') {
        return json({
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/authorize`,
          token_endpoint: `${ISSUER}/token`,
          userinfo_endpoint: `${ISSUER}/userinfo`,
          jwks_uri: `${ISSUER}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
        });
      }
      if (pathname === '/jwks') return json({ keys: [key.jwk] });
      if (pathname === '/token') {
        const claims = idp.idTokenClaims(idp.authorizeNonce);
        return json({ access_token: 'at-1', token_type: 'Bearer', expires_in: 300, id_token: signJwt(claims, (idp.signWithStrangerKey ? stranger : key).privateKey) });
      }
      if (pathname === '/userinfo') {
        idp.userinfoCalls += 1;
        return json({ sub: 'okta-dave', ...idp.userinfo });
      }
      return new Response('not found', { status: 404 });
    },
  };
  return idp;
}
