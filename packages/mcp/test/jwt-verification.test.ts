import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { sha256 } from '@gatehouse-auth/core';
import { protect, rpc, RESOURCE } from './support/fixture.ts';
import { INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { until } from './support/waits.ts';
import type { ProtectedMcp } from '../src/index.ts';

let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
let key: CryptoKey;

beforeEach(async () => {
  as = await startFakeAuthorizationServer();
  const pair = await generateKeyPair('ES256');
  key = pair.privateKey;
  as.jwks.keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
  ({ mcp } = protect({ issuer: as.issuer, jwt: { revocation: INTROSPECTION_CLIENT } }));
});
afterEach(async () => {
  await mcp.close();
  await as.stop();
});

async function sign(overrides: { typ?: string; aud?: string; exp?: number; iat?: number; kid?: string; jti?: string; sub?: string; signWith?: CryptoKey } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'client-1', scope: 'tickets:read', org_id: 'org_acme' })
    .setProtectedHeader({ alg: 'ES256', kid: overrides.kid ?? 'k1', typ: overrides.typ ?? 'at+jwt' })
    .setIssuer(as.issuer)
    .setSubject(overrides.sub ?? 'usr_alice')
    .setAudience(overrides.aud ?? RESOURCE)
    .setJti(overrides.jti ?? 'at_1')
    .setIssuedAt(overrides.iat ?? now)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(overrides.signWith ?? key);
}

describe('RFC 9068 JWT access tokens verified against the AS JWKS', () => {
  it('accepts a valid at+jwt for this resource and exposes its claims as the principal', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'whoami', arguments: {} }, await sign());
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain('\\"subject\\":\\"usr_alice\\"');
  });

  it('rejects a token whose typ is not at+jwt (an ID token is not an access token, §2.1)', async () => {
    expect((await rpc(mcp, 'tools/list', {}, await sign({ typ: 'JWT' }))).status).toBe(401);
  });

  it('rejects a token for another audience (RFC 8707)', async () => {
    const response = await rpc(mcp, 'tools/list', {}, await sign({ aud: 'http://127.0.0.1:4002/mcp' }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('rejects an expired token and one signed by a key the AS never published', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect((await rpc(mcp, 'tools/list', {}, await sign({ iat: past - 60, exp: past }))).status).toBe(401);
    const stranger = (await generateKeyPair('ES256')).privateKey;
    expect((await rpc(mcp, 'tools/list', {}, await sign({ signWith: stranger }))).status).toBe(401);
  });

  it('fails closed (503) when the JWKS cannot be fetched', async () => {
    await as.stop();
    expect((await rpc(mcp, 'tools/list', {}, await sign())).status).toBe(503);
  });

  it('fails closed (503) when the JWKS endpoint answers 500, or something that is not a key set', async () => {
    as.jwksStatus = 500;
    expect((await rpc(mcp, 'tools/list', {}, await sign())).status).toBe(503);
    as.jwksStatus = 200;
    as.jwks = { keys: 'none' } as never;
    expect((await rpc(mcp, 'tools/list', {}, await sign())).status).toBe(503);
  });

  it('refuses a JWT whose jti was revoked, as soon as the event arrives', async () => {
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    const token = await sign({ jti: 'at_revoked' });
    expect((await rpc(mcp, 'tools/list', {}, token)).status).toBe(200);
    as.push({ type: 'token.revoked', tokenHashes: [sha256('at_revoked')] });
    await until(async () => (await rpc(mcp, 'tools/list', {}, token)).status === 401, 'revoked JWT refused');
  });

  it('refuses a JWT revoked by the hash of the whole token (how Gatehouse keys its token records)', async () => {
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    const token = await sign({ jti: 'at_whole' });
    expect((await rpc(mcp, 'tools/list', {}, token)).status).toBe(200);
    as.push({ type: 'token.revoked', tokenHashes: [sha256(token)] });
    await until(async () => (await rpc(mcp, 'tools/list', {}, token)).status === 401, 'revoked JWT refused');
  });

  it("refuses a user's JWTs issued before their access was changed", async () => {
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    const token = await sign({ iat: Math.floor(Date.now() / 1000) - 5 });
    as.push({ type: 'user.disabled', userId: 'usr_alice', at: Date.now() });
    await until(async () => (await rpc(mcp, 'tools/list', {}, token)).status === 401, 'old JWT refused');
  });
});
