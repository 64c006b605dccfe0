import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { protect, rpc } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { until } from './support/waits.ts';
import type { ProtectedMcp, ProtectMcpOptions } from '../src/index.ts';

let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
const errors: unknown[] = [];
const setup = (introspection: Partial<NonNullable<ProtectMcpOptions['introspection']>> = {}) => {
  ({ mcp } = protect({ issuer: as.issuer, introspection: { ...INTROSPECTION_CLIENT, initialBackoffMs: 20, ...introspection }, onError: (e) => errors.push(e) }));
};
beforeEach(async () => {
  as = await startFakeAuthorizationServer();
  as.tokens.set('alice-token', activeToken(as.issuer, { scope: 'tickets:read', sub: 'usr_alice', client_id: 'client-1', users_org_roles: ['Support'] }));
  as.tokens.set('bob-token', activeToken(as.issuer, { scope: 'tickets:read', sub: 'usr_bob', client_id: 'client-2', users_org_roles: ['Engineering'] }));
});
afterEach(async () => {
  await mcp.close();
  await as.stop();
});

const list = (token: string) => rpc(mcp, 'tools/list', {}, token);

describe('RFC 7662 introspection with client_secret_basic', () => {
  it('form-encodes the client id and secret before Base64 (RFC 6749 §2.3.1)', async () => {
    setup({ revocationStream: false });
    expect((await list('alice-token')).status).toBe(200);
    expect(as.lastAuthorization).toBe(`Basic ${Buffer.from('rs%20client:s3cret%3Awith%2Fodd%20chars').toString('base64')}`);
  });

  it('introspects a token once and serves the next requests from the cache', async () => {
    setup();
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    for (let i = 0; i < 5; i++) expect((await list('alice-token')).status).toBe(200);
    expect(as.introspectionCalls).toBe(1);
  });

  it('coalesces concurrent first requests for one token into one introspection', async () => {
    setup();
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    const responses = await Promise.all(Array.from({ length: 10 }, () => list('alice-token')));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(as.introspectionCalls).toBe(1);
  });
});

describe('Refusals are cached as well', () => {
  it('introspects a token for another resource once, however often it is replayed', async () => {
    setup();
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    as.tokens.set('foreign', activeToken(as.issuer, { aud: 'https://other.example/mcp' }));
    for (let i = 0; i < 3; i++) expect((await list('foreign')).status).toBe(401);
    expect(as.introspectionCalls).toBe(1);
  });
});

describe('Revocation reaches the cache at once (GET {issuer}/revocations/stream)', () => {
  beforeEach(async () => {
    setup();
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    await list('alice-token');
    await list('bob-token');
  });

  it('drops a revoked token by its SHA-256: the next request is 401 without waiting for a TTL', async () => {
    as.tokens.set('alice-token', { active: false });
    as.push({ type: 'token.revoked', tokenHashes: [sha256('alice-token')] });
    await until(async () => (await list('alice-token')).status === 401, 'alice refused');
    expect((await list('bob-token')).status).toBe(200);
    expect(as.introspectionCalls).toBe(3);
  });

  it('drops every entry of a user whose membership changed, so current roles are re-read', async () => {
    as.tokens.set('alice-token', activeToken(as.issuer, { scope: 'tickets:read', sub: 'usr_alice', users_org_roles: ['Engineering'] }));
    as.push({ type: 'membership.changed', userId: 'usr_alice', orgId: 'org_acme' });
    await until(async () => {
      const response = await rpc(mcp, 'tools/call', { name: 'whoami', arguments: {} }, 'alice-token');
      return JSON.stringify(await response.json()).includes('Engineering');
    }, 'alice re-introspected with her new role');
  });

  it("drops a client's entries when the client is disabled, and a role's entries when the role changes", async () => {
    as.tokens.set('bob-token', { active: false });
    as.push({ type: 'client.disabled', clientId: 'client-2' });
    await until(async () => (await list('bob-token')).status === 401, 'bob refused');
    const calls = as.introspectionCalls;
    as.tokens.set('alice-token', { active: false });
    as.push({ type: 'role.updated', role: 'Support' });
    await until(async () => (await list('alice-token')).status === 401, 'alice refused');
    expect(as.introspectionCalls).toBe(calls + 1);
  });

  it('forgets the whole cache when the stream drops, and resubscribes', async () => {
    const calls = as.introspectionCalls;
    as.dropStreams();
    await until(() => as.streamClients === 1 && mcp.revocationStream() === 'connected', 'stream reconnected');
    expect((await list('alice-token')).status).toBe(200);
    expect(as.introspectionCalls).toBe(calls + 1);
  });
});

describe('A silent revocation stream counts as a disconnect', () => {
  it('reconnects (and forgets the cache) when no byte arrives within idleTimeoutMs', async () => {
    setup({ idleTimeoutMs: 150 });
    await until(() => as.streamConnects >= 3, 'two reconnects after silence');
  });
});

describe('Fail closed when the authorization server cannot be reached', () => {
  it('refuses an uncached token with 503 and a JSON-RPC error, then recovers by itself', async () => {
    setup({ revocationStream: false, timeoutMs: 500 });
    await as.stop();
    const refused = await list('alice-token');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
    expect(errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(errors.map(String))).not.toContain('alice-token');
    await as.restart();
    expect((await list('alice-token')).status).toBe(200);
  });

  it('stops vouching from cache almost at once when the stream goes down with the AS', async () => {
    setup({ timeoutMs: 500 });
    await until(() => mcp.revocationStream() === 'connected', 'stream connected');
    expect((await list('alice-token')).status).toBe(200);
    await as.stop();
    await until(async () => (await list('alice-token')).status === 503, 'cached token no longer vouched for');
    await as.restart();
    await until(async () => (await list('alice-token')).status === 200, 'recovered after restart');
  });

  it('treats an introspection answer other than 200 (wrong credentials) as unavailable, never as success', async () => {
    setup({ revocationStream: false, clientSecret: 'wrong' });
    expect((await list('alice-token')).status).toBe(503);
  });
});
