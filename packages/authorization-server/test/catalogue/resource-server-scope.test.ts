/**
 * Outside attack, issue 10, finding 5: introspection and the revocation
 * stream are for registered resource servers only, and each sees only the
 * tokens and events of the resources (and orgs) it serves. Dynamic
 * registration can never create one; a client holds a bounded number of
 * streams.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { clientRecord } from '@gatehouse-auth/store/testing';
import { revokeGrant } from '../../src/admin/revocation.ts';
import { basic, createFixture, issueCode, ORG, OTHER_RESOURCE, post, redeem, RESOURCE, SECRET, type Fixture } from '../token/fixture.ts';
import { SseReader } from '../revocation-stream/sse-reader.ts';

let fx: Fixture;
const readers: SseReader[] = [];
const GLOBEX = 'org_globex';

beforeEach(async () => {
  fx = await createFixture();
  const now = fx.clock.now();
  // OTHER_RESOURCE is Globex's; `other-rs` is its resource server (and of nothing else).
  await fx.store.orgs.create({ id: GLOBEX, slug: 'globex', name: 'Globex', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await fx.store.resources.upsert({ uri: OTHER_RESOURCE, name: 'Other', scopes: ['crm:read'], organizations: [GLOBEX], multiTenant: false, createdAt: now, updatedAt: now });
  await fx.store.clients.create(
    clientRecord({ id: 'other-rs', tokenEndpointAuthMethod: 'client_secret_basic', secretHash: sha256(SECRET), grantTypes: [], resourceServerFor: [OTHER_RESOURCE], createdAt: now, updatedAt: now }),
  );
});
afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.cancel().catch(() => {});
  await fx.close();
});

async function registerConfidential(extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const response = await fx.app.request('/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Attacker', redirect_uris: ['https://attacker.example/cb'], token_endpoint_auth_method: 'client_secret_basic', ...extra }),
  });
  const body = (await response.json()) as { client_id?: string; client_secret?: string };
  if (response.status !== 201 || !body.client_id || !body.client_secret) throw new Error(`registration answered ${response.status}`);
  return { id: body.client_id, secret: body.client_secret };
}

const openStream = (authorization: string) => fx.app.request('/revocations/stream', { headers: { authorization, accept: 'text/event-stream' } });

async function subscribe(authorization: string): Promise<SseReader> {
  const response = await openStream(authorization);
  expect(response.status).toBe(200);
  const reader = new SseReader(response.body!.getReader());
  readers.push(reader);
  expect((await reader.next())?.event).toBe('ready');
  return reader;
}

const typeOf = async (reader: SseReader) => (JSON.parse((await reader.nextEvent())?.data ?? 'null') as { type: string }).type;

describe('Introspection is for registered resource servers only (RFC 7662 §2.1, §4)', () => {
  it("a dynamically registered confidential client gets 401 invalid_client, for any user's token", async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    const attacker = await registerConfidential();
    const response = await post(fx, '/introspect', { token: body.access_token! }, basic(attacker.id, attacker.secret));
    expect(response.status).toBe(401);
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ error: 'invalid_client' });
    expect(JSON.stringify(answer)).not.toMatch(/alice|org_acme|Admin/);
  });

  it('dynamic registration cannot make itself a resource server: resource_server_for in the request changes nothing', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    const attacker = await registerConfidential({ resource_server_for: [RESOURCE] });
    expect((await fx.store.clients.get(attacker.id))?.resourceServerFor).toEqual([]);
    expect((await post(fx, '/introspect', { token: body.access_token! }, basic(attacker.id, attacker.secret))).status).toBe(401);
  });

  it('a resource server learns nothing of another resource\'s token: exactly {"active":false}', async () => {
    const { body } = await redeem(fx, await issueCode(fx));
    const foreign = await post(fx, '/introspect', { token: body.access_token! }, basic('other-rs'));
    expect(foreign.status).toBe(200);
    expect(await foreign.text()).toBe('{"active":false}');
    // The token's own resource server sees it active, and after that the answer is cached: still inactive for the other.
    expect(((await (await post(fx, '/introspect', { token: body.access_token! }, basic('resource-server'))).json()) as { active: boolean }).active).toBe(true);
    expect(await (await post(fx, '/introspect', { token: body.access_token! }, basic('other-rs'))).text()).toBe('{"active":false}');
  });
});

describe('The revocation stream is for registered resource servers only, scoped to what each serves', () => {
  it('refuses a dynamically registered confidential client with 401 invalid_client', async () => {
    const attacker = await registerConfidential();
    const response = await openStream(basic(attacker.id, attacker.secret));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it("carries only the events of the subscriber's resources and orgs", async () => {
    const acmeRs = await subscribe(basic('resource-server'));
    const globexRs = await subscribe(basic('other-rs'));
    const { body } = await redeem(fx, await issueCode(fx));
    const revoke = await post(fx, '/revoke', { token: body.access_token!, client_id: 'public-app' });
    expect(revoke.status).toBe(200);
    const grant = (await fx.store.grants.listForUser('usr_alice'))[0]!;
    await revokeGrant(fx.ctx, grant.id, { kind: 'operator', id: 'test' });
    await fx.ctx.events.publish({ type: 'membership.removed', userId: 'usr_alice', orgId: ORG, roles: ['Admin'] });
    // A sentinel every subscriber receives: it names no tenant.
    await fx.ctx.events.publish({ type: 'role.updated', role: 'Admin' });
    expect([await typeOf(acmeRs), await typeOf(acmeRs), await typeOf(acmeRs), await typeOf(acmeRs)]).toEqual(['token.revoked', 'grant.revoked', 'membership.removed', 'role.updated']);
    // Acme's token, grant and membership never reach Globex's resource server.
    expect(await typeOf(globexRs)).toBe('role.updated');
  });

  it('caps concurrent streams per client: the fifth gets 429 in OAuth error JSON; closing one frees a place', async () => {
    const open: Response[] = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await openStream(basic('resource-server'));
      expect(response.status).toBe(200);
      open.push(response);
    }
    const fifth = await openStream(basic('resource-server'));
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('content-type')).toMatch(/^application\/json/);
    expect(fifth.headers.get('retry-after')).toBeTruthy();
    expect(await fifth.json()).toMatchObject({ error: 'temporarily_unavailable' });
    // Another resource server is not affected by this one's streams.
    const other = await openStream(basic('other-rs'));
    expect(other.status).toBe(200);
    await other.body!.cancel();
    await open.pop()!.body!.cancel();
    const again = await openStream(basic('resource-server'));
    expect(again.status).toBe(200);
    for (const response of [...open, again]) await response.body!.cancel();
  });
});
