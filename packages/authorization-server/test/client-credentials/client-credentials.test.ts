import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenHash } from '@gatehouse-auth/core';
import { basic, createFixture, introspect, ORG, RESOURCE, token, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(() => fx.close());

const agentToken = (form: Record<string, string>, client = 'agent') => token(fx, { grant_type: 'client_credentials', ...form }, basic(client));

describe('OAuth 2.1 §4.2 client credentials for service agents', () => {
  it('issues an access token and no refresh token (§4.2.3)', async () => {
    const { status, body, response } = await agentToken({ resource: RESOURCE, scope: 'crm:read crm:write' });
    expect(status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'crm:read crm:write', expires_in: 1800 });
    expect(body.refresh_token).toBeUndefined();
    expect(await fx.store.tokens.get(tokenHash(body.access_token!))).toMatchObject({ clientId: 'agent', userId: null, orgId: ORG, resource: RESOURCE });
  });

  it("introspects as client:<client_id> with the agent's org and its current roles and permissions", async () => {
    const { body } = await agentToken({ resource: RESOURCE, scope: 'crm:read' });
    expect(await introspect(fx, body.access_token!)).toMatchObject({
      active: true,
      sub: 'client:agent',
      client_id: 'agent',
      org_id: ORG,
      aud: RESOURCE,
      users_org_roles: ['Member'],
      users_org_permissions: ['can_view_resource'],
    });
  });

  it("keeps service subjects apart from user ids even when a user has the client's id (RFC 9700 §4.15)", async () => {
    const now = fx.clock.now();
    await fx.store.users.create({ id: 'agent', email: 'agent@acme.test', name: 'Agent', passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
    const { body } = await agentToken({ resource: RESOURCE, scope: 'crm:read' });
    const result = await introspect(fx, body.access_token!);
    expect(result.sub).not.toBe('agent');
    expect(result.username).toBeUndefined();
  });

  it("refuses an org scope that none of the agent's roles may grant (invalid_scope)", async () => {
    const { status, body } = await agentToken({ resource: RESOURCE, scope: 'crm:read crm:export' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
  });

  it('refuses a user scope: an agent has no user to consent for it', async () => {
    const { body } = await agentToken({ resource: RESOURCE, scope: 'profile:read' });
    expect(body.error).toBe('invalid_scope');
  });

  it("refuses a scope outside the client's own scope limit", async () => {
    const agent = await fx.store.clients.get('agent');
    await fx.store.clients.upsert({ ...agent!, scope: 'crm:read' });
    const { body } = await agentToken({ resource: RESOURCE, scope: 'crm:write' });
    expect(body.error).toBe('invalid_scope');
  });

  it('grants every scope its roles allow when no scope is requested', async () => {
    const { body } = await agentToken({ resource: RESOURCE });
    expect(body.scope).toBe('crm:read crm:write');
  });

  it('requires a resource (RFC 8707 invalid_target)', async () => {
    const { status, body } = await agentToken({ scope: 'crm:read' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_target');
  });

  it('rejects an unknown resource with invalid_target', async () => {
    const { body } = await agentToken({ resource: 'https://unknown.example.com/mcp', scope: 'crm:read' });
    expect(body.error).toBe('invalid_target');
  });

  it('refuses clients that are not service agents even if they registered the grant type', async () => {
    const web = await fx.store.clients.get('web-app');
    await fx.store.clients.upsert({ ...web!, grantTypes: ['authorization_code', 'client_credentials'] });
    const { status, body } = await agentToken({ resource: RESOURCE, scope: 'crm:read' }, 'web-app');
    expect(status).toBe(400);
    expect(body.error).toBe('unauthorized_client');
  });

  it('stores every token of a burst of concurrent requests before answering (group commit)', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, () => agentToken({ resource: RESOURCE, scope: 'crm:read' })));
    expect(results.every((result) => result.status === 200)).toBe(true);
    const stored = await Promise.all(results.map((result) => fx.store.tokens.get(tokenHash(result.body.access_token!))));
    expect(stored.filter((record) => record?.clientId === 'agent')).toHaveLength(25);
  });

  it('refuses a public client (no credentials to prove)', async () => {
    const { body } = await token(fx, { grant_type: 'client_credentials', resource: RESOURCE, client_id: 'public-app' });
    expect(body.error).toBe('unauthorized_client');
  });
});
