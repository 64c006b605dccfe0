import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { sha256 } from '@gatehouse-auth/core';
import { rotateSigningKey } from '../../src/keys/index.ts';
import { ALICE, createFixture, introspect, ISSUER, issueCode, ORG, post, redeem, RESOURCE, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture({ accessTokenFormat: 'jwt' });
});
afterEach(() => fx.close());

async function jwks(): Promise<JSONWebKeySet> {
  const response = await fx.app.request('/jwks.json');
  expect(response.status).toBe(200);
  return (await response.json()) as JSONWebKeySet;
}

async function accessToken(): Promise<string> {
  const { body } = await redeem(fx, await issueCode(fx));
  return body.access_token!;
}

const verify = async (jwt: string) => jwtVerify(jwt, createLocalJWKSet(await jwks()), { issuer: ISSUER, audience: RESOURCE, typ: 'at+jwt', currentDate: new Date(fx.clock.now()) });

describe('RFC 9068 JWT access tokens', () => {
  it('verifies against /jwks.json with jose and carries aud = the resource', async () => {
    const { payload, protectedHeader } = await verify(await accessToken());
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: ISSUER, sub: ALICE, aud: RESOURCE, client_id: 'public-app', scope: 'crm:read crm:write', org_id: ORG });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(1800);
  });

  it('fails verification for another audience', async () => {
    const jwt = await accessToken();
    await expect(jwtVerify(jwt, createLocalJWKSet(await jwks()), { audience: 'https://other.example.com/mcp', currentDate: new Date(fx.clock.now()) })).rejects.toThrow();
  });

  it('publishes public keys only', async () => {
    await accessToken();
    const { keys } = await jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('creates one signing key on first start and reuses it', async () => {
    await accessToken();
    await accessToken();
    expect(await fx.store.keys.list()).toHaveLength(1);
  });

  it('is stored as the SHA-256 of the JWT so introspection and revocation work as for opaque tokens', async () => {
    const jwt = await accessToken();
    expect(await fx.store.tokens.get(sha256(jwt))).toMatchObject({ format: 'jwt', kind: 'access' });
    expect(await introspect(fx, jwt)).toMatchObject({ active: true, sub: ALICE, aud: RESOURCE });
    await post(fx, '/revoke', { token: jwt, client_id: 'public-app' });
    expect(await introspect(fx, jwt)).toEqual({ active: false });
  });
});

describe('Signing key rotation', () => {
  it('signs new tokens with the new key and keeps the retired key published for tokens it signed', async () => {
    const before = await accessToken();
    await rotateSigningKey(fx.ctx);
    const after = await accessToken();
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect((await jwks()).keys).toHaveLength(2);
    await expect(verify(before)).resolves.toBeDefined();
    await expect(verify(after)).resolves.toBeDefined();
  });

  it('stops publishing a retired key once every token it signed has expired', async () => {
    const before = await accessToken();
    await rotateSigningKey(fx.ctx);
    // Another server may sign with the retired key for up to a minute after the rotation (its key cache).
    fx.clock.advance(3600 * 1000 + 1);
    expect((await jwks()).keys).toHaveLength(2);
    fx.clock.advance(60 * 1000);
    const { keys } = await jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.kid).not.toBe(decodeProtectedHeader(before).kid);
  });
});
