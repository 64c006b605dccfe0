import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken, sha256, tokenHash } from '@gatehouse-auth/core';
import { ALICE, createFixture, introspect, issueCode, OTHER_RESOURCE, redeem, REDIRECT, RESOURCE, s256, token, type Fixture } from './fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(() => fx.close());

describe('OAuth 2.1 §4.1.3 authorization code grant', () => {
  it('issues a Bearer access token and a refresh token with Cache-Control: no-store', async () => {
    const { status, body, response } = await redeem(fx, await issueCode(fx));
    expect(status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body.token_type).toBe('Bearer');
    expect(body.scope).toBe('crm:read crm:write');
    // Opaque tokens: the issue time (9 base-36 digits), a dot, 256 random bits.
    expect(body.access_token).toMatch(/^[0-9a-z]{9}\.[A-Za-z0-9_-]{43}$/);
    expect(body.refresh_token).toMatch(/^[0-9a-z]{9}\.[A-Za-z0-9_-]{43}$/);
  });

  it('stores only the SHA-256 of each token, bound to client, user, org and resource', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    const access = await fx.store.tokens.get(tokenHash(body.access_token!));
    const refresh = await fx.store.tokens.get(tokenHash(body.refresh_token!));
    expect(access).toMatchObject({ kind: 'access', clientId: 'public-app', userId: ALICE, resource: RESOURCE });
    expect(refresh).toMatchObject({ kind: 'refresh', familyId: access!.familyId });
    expect(await fx.store.tokens.get(body.access_token!)).toBeUndefined();
    expect(access!.hash).toBe(`${body.access_token!.slice(0, 9)}${sha256(body.access_token!)}`);
  });

  it('leads every stored token key with its issue time, so later tokens sort after earlier ones', async () => {
    const first = await redeem(fx, await issueCode(fx));
    fx.clock.advance(1);
    const second = await redeem(fx, await issueCode(fx));
    const keys = [first.body.access_token!, first.body.refresh_token!, second.body.access_token!, second.body.refresh_token!].map(tokenHash);
    expect(parseInt(keys[2]!.slice(0, 9), 36)).toBe(fx.clock.now());
    expect(keys[0]! < keys[2]! && keys[1]! < keys[2]! && keys[0]! < keys[3]! && keys[1]! < keys[3]!).toBe(true);
  });

  it('sets the access token lifetime by the most sensitive scope granted', async () => {
    const routine = await redeem(fx, await issueCode(fx, { scopes: ['crm:read'] }));
    const sensitive = await redeem(fx, await issueCode(fx, { scopes: ['crm:read', 'crm:write'] }));
    const critical = await redeem(fx, await issueCode(fx, { scopes: ['crm:read', 'crm:export'] }));
    expect([routine.body.expires_in, sensitive.body.expires_in, critical.body.expires_in]).toEqual([3600, 1800, 900]);
  });

  it('issues no refresh token to a client without the refresh_token grant unless offline_access was granted', async () => {
    const now = fx.clock.now();
    const base = await fx.store.clients.get('public-app');
    await fx.store.clients.create({ ...base!, id: 'no-refresh', grantTypes: ['authorization_code'], createdAt: now, updatedAt: now });
    const plain = await redeem(fx, await issueCode(fx, { clientId: 'no-refresh' }), {}, 'no-refresh');
    expect(plain.status).toBe(200);
    expect(plain.body.refresh_token).toBeUndefined();
    const offline = await redeem(fx, await issueCode(fx, { clientId: 'no-refresh', scopes: ['crm:read', 'offline_access'] }), {}, 'no-refresh');
    expect(offline.body.refresh_token).toBeDefined();
  });

  it('announces token.issued with the access token hash, never the token', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    const issued = fx.events.find((event) => event.type === 'token.issued');
    expect(issued).toMatchObject({ tokenHash: tokenHash(body.access_token!), clientId: 'public-app', userId: ALICE });
    expect(JSON.stringify(fx.events)).not.toContain(body.access_token!);
  });
});

describe('RFC 7636 PKCE at the token endpoint', () => {
  it('rejects a verifier that belongs to another challenge (code injection, RFC 9700 §4.5)', async () => {
    const issued = await issueCode(fx);
    const { status, body } = await redeem(fx, issued, { code_verifier: randomToken(48) });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a missing code_verifier', async () => {
    const issued = await issueCode(fx);
    const { status, body } = await token(fx, { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT, resource: RESOURCE, client_id: 'public-app' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  for (const [label, verifier] of [
    ['a verifier of 42 characters', 'a'.repeat(42)],
    ['a verifier of 129 characters', 'a'.repeat(129)],
    ['a verifier with characters outside [A-Za-z0-9-._~]', `${'a'.repeat(42)}+/`],
  ] as const) {
    it(`rejects ${label} even when its S256 matches the challenge`, async () => {
      const issued = await issueCode(fx);
      await fx.store.codes.create({ ...(await codeRecord(issued.codeHash)), hash: sha256('forged-code'), codeChallenge: s256(verifier) });
      const { status, body } = await redeem(fx, { ...issued, code: 'forged-code' }, { code_verifier: verifier });
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_grant');
    });
  }

  it('rejects a code_verifier for a code issued without a code_challenge (PKCE downgrade, RFC 9700 §4.8)', async () => {
    const issued = await issueCode(fx);
    await fx.store.codes.create({ ...(await codeRecord(issued.codeHash)), hash: sha256('no-challenge'), codeChallenge: '' });
    const { status, body } = await redeem(fx, { ...issued, code: 'no-challenge' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });
});

/** A copy of a stored code's fields (the store has no code getter; build it the way issueCode did). */
async function codeRecord(hash: string) {
  const now = fx.clock.now();
  const grant = (await fx.store.grants.listForUser(ALICE))[0]!;
  return {
    hash,
    grantId: grant.id,
    clientId: 'public-app',
    userId: ALICE,
    orgId: grant.orgId,
    redirectUri: REDIRECT,
    codeChallenge: '',
    resource: RESOURCE,
    scopes: grant.scopes,
    sessionId: null,
    authTime: now,
    createdAt: now,
    expiresAt: now + 60_000,
    consumedAt: null,
  };
}

describe('RFC 6749 §4.1.2 authorization code replay', () => {
  it('answers a second redemption with invalid_grant and revokes every token from the first', async () => {
    const issued = await issueCode(fx);
    const first = await redeem(fx, issued);
    expect(first.status).toBe(200);
    const second = await redeem(fx, issued);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(await introspect(fx, first.body.access_token!)).toEqual({ active: false });
    const refreshed = await token(fx, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token!, client_id: 'public-app' });
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('publishes authorization_code.replayed and token.revoked with the revoked hashes', async () => {
    const issued = await issueCode(fx);
    const first = await redeem(fx, issued);
    await redeem(fx, issued);
    const replayed = fx.events.find((event) => event.type === 'authorization_code.replayed');
    const revoked = fx.events.find((event) => event.type === 'token.revoked');
    const hashes = [tokenHash(first.body.access_token!), tokenHash(first.body.refresh_token!)].sort();
    expect(replayed && 'tokenHashes' in replayed ? [...replayed.tokenHashes].sort() : undefined).toEqual(hashes);
    expect(revoked).toMatchObject({ reason: 'code_replay', userId: ALICE });
  });

  it('also revokes tokens refreshed from the first redemption (same family)', async () => {
    const issued = await issueCode(fx);
    const first = await redeem(fx, issued);
    const refreshed = await token(fx, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token!, client_id: 'public-app' });
    expect(refreshed.status).toBe(200);
    await redeem(fx, issued);
    expect(await introspect(fx, refreshed.body.access_token!)).toEqual({ active: false });
  });

  it('lets exactly one of ten concurrent redemptions succeed', async () => {
    const issued = await issueCode(fx);
    const results = await Promise.all(Array.from({ length: 10 }, () => redeem(fx, issued)));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    expect(results.filter((result) => result.body.error === 'invalid_grant')).toHaveLength(9);
  });
});

describe('OAuth 2.1 §4.1.3 code binding and expiry', () => {
  it('rejects a code redeemed by another client (invalid_grant)', async () => {
    const { status, body } = await redeem(fx, await issueCode(fx), {}, 'other-app');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a code redeemed after 60 seconds', async () => {
    const issued = await issueCode(fx);
    fx.clock.advance(60_001);
    const { status, body } = await redeem(fx, issued);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a redirect_uri that differs from the one used at authorize', async () => {
    const { body } = await redeem(fx, await issueCode(fx), { redirect_uri: 'http://127.0.0.1/cb/' });
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a token request without the redirect_uri the authorization request carried', async () => {
    const issued = await issueCode(fx);
    const { body } = await token(fx, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, client_id: 'public-app' });
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a resource other than the one the code was issued for (RFC 8707: invalid_target)', async () => {
    const { status, body } = await redeem(fx, await issueCode(fx), { resource: OTHER_RESOURCE });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_target');
  });

  it('rejects a resource with a fragment as invalid_target', async () => {
    const { body } = await redeem(fx, await issueCode(fx), { resource: `${RESOURCE}#x` });
    expect(body.error).toBe('invalid_target');
  });

  it('rejects a relative resource as invalid_target', async () => {
    const { body } = await redeem(fx, await issueCode(fx), { resource: '/mcp' });
    expect(body.error).toBe('invalid_target');
  });

  it('accepts the resource in another letter case of its host (canonical form, MCP)', async () => {
    const { status } = await redeem(fx, await issueCode(fx), { resource: 'https://MCP.example.com/mcp' });
    expect(status).toBe(200);
  });

  it('rejects the code when the user was disabled after consent', async () => {
    const issued = await issueCode(fx);
    await fx.store.users.setStatus(ALICE, 'disabled', fx.clock.now());
    const { body } = await redeem(fx, issued);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects an unknown code with invalid_grant', async () => {
    const { status, body } = await redeem(fx, { ...(await issueCode(fx)), code: randomToken() });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });
});
