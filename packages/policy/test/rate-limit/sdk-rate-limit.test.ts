/**
 * Rate limits through the SDK (issue 15 item 5): two instances of one MCP
 * server (each with its own Redis connection, as two processes would have)
 * behind the same limit. The client sees the JSON-RPC error with
 * data.retryAfter from whichever instance it reaches, the handler ran only
 * as often as the limit allows, and each refusal is a decision record.
 */
import { randomBytes } from 'node:crypto';
import { GatedMcpServer, protectMcpServer, requireScopes, type DecisionRecord, type ProtectedMcp } from '@gatehouse-auth/mcp';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from '../../../mcp/test/support/fake-authorization-server.ts';
import { RATE_LIMITED, RedisBuckets, rateLimitGate } from '../../src/index.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RESOURCE = 'http://127.0.0.1:4001/mcp';

async function redisAvailable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    if (process.env.CI) throw new Error(`Redis is required in CI at ${REDIS_URL}`);
    return false;
  } finally {
    probe.disconnect();
  }
}
const hasRedis = await redisAvailable();

describe.skipIf(!hasRedis)('rate limit shared by two SDK instances through Redis', () => {
  let as: FakeAuthorizationServer;
  const instances: { mcp: ProtectedMcp; buckets: RedisBuckets }[] = [];
  const decisions: DecisionRecord[] = [];
  let runs = 0;

  beforeAll(async () => {
    as = await startFakeAuthorizationServer();
    as.tokens.set('alice', activeToken(as.issuer, { scope: 'tickets:read', sub: 'usr_alice', org_id: 'org_acme' }));
    const keyPrefix = `gatehouse-test:${randomBytes(6).toString('hex')}:`;
    for (let i = 0; i < 2; i++) {
      const server = new GatedMcpServer({ name: 'limited', version: '1' });
      server.registerTool('export_revenue', { requires: requireScopes('tickets:read') }, async () => {
        runs++;
        return { content: [{ type: 'text' as const, text: 'exported' }] };
      });
      const buckets = new RedisBuckets({ redis: REDIS_URL, keyPrefix });
      const mcp = protectMcpServer({
        server,
        issuer: as.issuer,
        resource: RESOURCE,
        scopesSupported: ['tickets:read'],
        organizations: ['org_acme'],
        introspection: { ...INTROSPECTION_CLIENT, revocationStream: false },
        onDecision: (record) => void decisions.push(record),
        callGates: [rateLimitGate({ buckets, limits: [{ tool: 'export_revenue', per: 'principal', limit: 3, windowSeconds: 3600 }] })],
      });
      instances.push({ mcp, buckets });
    }
  });
  afterAll(async () => {
    for (const { mcp, buckets } of instances) {
      await mcp.close();
      await buckets.close();
    }
    await as.stop();
  });

  let id = 1;
  const call = async (instance: number) => {
    const response = await instances[instance]!.mcp.fetch(
      new Request(RESOURCE, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer alice' },
        body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: 'export_revenue', arguments: {} } }),
      }),
    );
    return (await response.json()) as { result?: unknown; error?: { code: number; message: string; data: { retryAfter: number } } };
  };

  it('allows 3 calls an hour in total across both instances; the 4th and 5th are refused with data.retryAfter on either', async () => {
    const answers = [await call(0), await call(1), await call(0), await call(1), await call(0)];
    expect(answers.slice(0, 3).every((answer) => answer.error === undefined)).toBe(true);
    for (const refused of answers.slice(3)) {
      expect(refused.error).toMatchObject({ code: RATE_LIMITED, message: expect.stringMatching(/Rate limit exceeded/) });
      expect(refused.error!.data.retryAfter).toBeGreaterThan(1000);
      expect(refused.error!.data.retryAfter).toBeLessThanOrEqual(1200);
    }
    expect(runs).toBe(3);
    expect(decisions.filter((record) => record.result === 'deny').map((record) => record.reason)).toEqual(['rate limited: 3 per 3600 s per principal', 'rate limited: 3 per 3600 s per principal']);
  });
});
