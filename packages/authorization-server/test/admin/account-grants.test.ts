import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomToken } from '@gatehouse-auth/core';
import { startSession } from '../../src/session/current-session.ts';
import { cookieJar } from '../../src/session/cookies.ts';
import { ALICE, BOB, createFixture, introspect, ISSUER, issueCode, redeem, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(() => fx.close());

const jar = cookieJar(ISSUER);
const browserSecret = randomToken();

async function signedIn(userId: string): Promise<string> {
  const { setCookie } = await startSession(fx.ctx, (await fx.store.users.get(userId))!);
  const session = setCookie.split(';')[0]!;
  return `${session}; ${jar.browser}=${browserSecret}`;
}

async function listGrants(cookie: string) {
  const response = await fx.app.request('/account/grants', { headers: { cookie } });
  return { status: response.status, body: (await response.json()) as { grants: Array<{ id: string; client_id: string; scopes: string[] }>; csrf_token: string } };
}

const revoke = (cookie: string, grantId: string, csrf: string | undefined, origin = new URL(ISSUER).origin) =>
  fx.app.request(`/account/grants/${grantId}/revoke`, {
    method: 'POST',
    headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: csrf === undefined ? '' : new URLSearchParams({ csrf }).toString(),
  });

describe('User self-service revocation of grants', () => {
  it('answers 401 login_required without a session', async () => {
    const response = await fx.app.request('/account/grants');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'login_required' });
  });

  it("lists only the signed-in user's live grants", async () => {
    await redeem(fx, await issueCode(fx));
    await issueCode(fx, { userId: BOB });
    const { status, body } = await listGrants(await signedIn(ALICE));
    expect(status).toBe(200);
    expect(body.grants).toHaveLength(1);
    expect(body.grants[0]).toMatchObject({ client_id: 'public-app', scopes: ['crm:read', 'crm:write'] });
  });

  it("revokes the user's own grant and its tokens at once", async () => {
    const { body: tokens } = await redeem(fx, await issueCode(fx));
    const cookie = await signedIn(ALICE);
    const { body } = await listGrants(cookie);
    const response = await revoke(cookie, body.grants[0]!.id, body.csrf_token);
    expect(response.status).toBe(200);
    expect(await introspect(fx, tokens.access_token!)).toEqual({ active: false });
    expect(fx.events.find((event) => event.type === 'grant.revoked')).toMatchObject({ actor: { kind: 'user', id: ALICE } });
    expect((await listGrants(cookie)).body.grants).toHaveLength(0);
  });

  it('refuses a revoke POST without the CSRF token (403) and keeps the grant', async () => {
    const { body: tokens } = await redeem(fx, await issueCode(fx));
    const cookie = await signedIn(ALICE);
    const { body } = await listGrants(cookie);
    expect((await revoke(cookie, body.grants[0]!.id, undefined)).status).toBe(403);
    expect(await introspect(fx, tokens.access_token!)).toMatchObject({ active: true });
  });

  it('refuses a revoke POST from a foreign Origin (403)', async () => {
    await redeem(fx, await issueCode(fx));
    const cookie = await signedIn(ALICE);
    const { body } = await listGrants(cookie);
    expect((await revoke(cookie, body.grants[0]!.id, body.csrf_token, 'https://evil.example')).status).toBe(403);
  });

  it("answers 404 for another user's grant and leaves it alone", async () => {
    const bobs = await issueCode(fx, { userId: BOB });
    const cookie = await signedIn(ALICE);
    const { body } = await listGrants(cookie);
    expect((await revoke(cookie, bobs.grantId, body.csrf_token)).status).toBe(404);
    expect((await fx.store.grants.get(bobs.grantId))!.revokedAt).toBeNull();
  });
});
