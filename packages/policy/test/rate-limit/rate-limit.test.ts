/**
 * Rate limits (issue 15 item 5): token buckets per principal × tool and per
 * agent, in memory and shared through the real Redis at 127.0.0.1:6379
 * (every run uses its own key prefix). An exceeded limit is a JSON-RPC
 * error with data.retryAfter.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBuckets, RATE_LIMITED, RedisBuckets, rateLimitGate, rateLimitsFromConfig, type Buckets, type GateInput, type RateLimit } from '../../src/index.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TAKER = fileURLToPath(new URL('./bucket-taker.ts', import.meta.url));
const prefix = () => `gatehouse-test:${randomBytes(6).toString('hex')}:`;

async function redisAvailable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    if (process.env.CI) throw new Error(`Redis is required in CI at ${REDIS_URL}`);
    return false;
  } finally {
    probe.disconnect();
  }
}
const hasRedis = await redisAvailable();

const call = (overrides: { subject?: string; clientId?: string; tool?: string; time?: number } = {}): GateInput => ({
  principal: { subject: overrides.subject ?? 'user-1', kind: 'user', orgId: 'org-1', roles: [], clientId: overrides.clientId ?? 'agent-a' },
  operation: { kind: 'tool', name: overrides.tool ?? 'export_revenue', arguments: {} },
  request: { id: 7, method: 'tools/call', params: {} },
  context: { time: overrides.time ?? 1_000_000, resource: 'https://mcp.acme.test/mcp' },
  token: 'unused',
});

async function run(gate: ReturnType<typeof rateLimitGate>, times: number, input: () => GateInput) {
  const verdicts = [];
  for (let i = 0; i < times; i++) verdicts.push(await gate(input()));
  return verdicts;
}

function behavesAsTokenBuckets(name: string, make: () => Buckets) {
  describe(name, () => {
    const limits: RateLimit[] = [
      { tool: 'export_revenue', per: 'principal', limit: 3, windowSeconds: 60 },
      { per: 'agent', limit: 5, windowSeconds: 60 },
    ];

    it('allows the limit per principal × tool, then refuses with a JSON-RPC error carrying data.retryAfter', async () => {
      const gate = rateLimitGate({ limits, buckets: make() });
      const verdicts = await run(gate, 4, () => call());
      expect(verdicts.slice(0, 3).map((v) => v.kind)).toEqual(['run', 'run', 'run']);
      const refused = verdicts[3]!;
      expect(refused.kind).toBe('answer');
      if (refused.kind !== 'answer') return;
      expect(refused.message).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: RATE_LIMITED, data: { retryAfter: 20, limit: 3, windowSeconds: 60, per: 'principal' } } });
      expect(refused.reason).toMatch(/rate limited/);
    });

    it('keeps principals apart: another user of the same tool has a full bucket', async () => {
      const gate = rateLimitGate({ limits, buckets: make() });
      await run(gate, 3, () => call({ subject: 'user-1', clientId: 'agent-x' }));
      expect((await gate(call({ subject: 'user-1', clientId: 'agent-x' }))).kind).toBe('answer');
      expect((await gate(call({ subject: 'user-2', clientId: 'agent-y' }))).kind).toBe('run');
    });

    it('limits an agent across all its users and tools (per agent)', async () => {
      const gate = rateLimitGate({ limits, buckets: make() });
      const verdicts = await run(
        gate,
        6,
        (() => {
          let i = 0;
          return () => call({ subject: `user-${i++}`, clientId: 'busy-agent', tool: 'list_tickets' });
        })(),
      );
      expect(verdicts.map((v) => v.kind)).toEqual(['run', 'run', 'run', 'run', 'run', 'answer']);
    });

    it('refills over time: one call per window/limit comes back', async () => {
      const gate = rateLimitGate({ limits: [{ tool: 'export_revenue', per: 'principal', limit: 3, windowSeconds: 60 }], buckets: make() });
      await run(gate, 3, () => call({ time: 1_000_000 }));
      expect((await gate(call({ time: 1_000_000 + 19_000 }))).kind).toBe('answer');
      expect((await gate(call({ time: 1_000_000 + 20_000 }))).kind).toBe('run');
    });
  });
}

behavesAsTokenBuckets('in memory', () => new MemoryBuckets());

describe.skipIf(!hasRedis)('through Redis', () => {
  const opened: RedisBuckets[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((b) => b.close()));
  });
  behavesAsTokenBuckets('Redis buckets (caller clock)', () => {
    const buckets = new RedisBuckets({ redis: REDIS_URL, keyPrefix: prefix(), callerClock: true });
    opened.push(buckets);
    return buckets;
  });

  it('two processes share one limit: 10 per hour, 8 attempts each, exactly 10 allowed in total', async () => {
    const keyPrefix = prefix();
    const runTaker = () =>
      new Promise<{ allowed: number; refused: number }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', TAKER, REDIS_URL, keyPrefix, '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as { allowed: number; refused: number }) : reject(new Error(`taker exited ${code}`))));
      });
    const [a, b] = await Promise.all([runTaker(), runTaker()]);
    expect(a.allowed + b.allowed).toBe(10);
    expect(a.refused + b.refused).toBe(6);
    // Both processes were refused only after the shared bucket ran dry: neither had a bucket of its own.
    expect(a.allowed).toBeGreaterThan(0);
    expect(b.allowed).toBeGreaterThan(0);
  });

  it('fails closed: an unreachable Redis makes the gate throw (the SDK answers an internal error), never allow', async () => {
    const buckets = new RedisBuckets({ redis: 'redis://127.0.0.1:1', keyPrefix: prefix(), redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false } });
    const gate = rateLimitGate({ limits: [{ per: 'principal', limit: 5, windowSeconds: 60 }], buckets });
    await expect(gate(call())).rejects.toThrow();
    buckets['client'].disconnect();
  });
});

describe('rate limits declared in config', () => {
  it('reads the snake_case YAML shape', () => {
    expect(
      rateLimitsFromConfig([
        { tool: 'export_revenue', per: 'principal', limit: 10, window_seconds: 3600 },
        { per: 'agent', limit: 600, window_seconds: 60 },
      ]),
    ).toEqual([
      { tool: 'export_revenue', per: 'principal', limit: 10, windowSeconds: 3600 },
      { per: 'agent', limit: 600, windowSeconds: 60 },
    ]);
    expect(rateLimitsFromConfig(undefined)).toEqual([]);
  });

  it('refuses a misspelt key, an unknown per and a zero limit at startup, naming the entry', () => {
    expect(() => rateLimitsFromConfig([{ per: 'agent', limit: 5, window: 60 }])).toThrow(/rate_limits\[0\]: unknown key window/);
    expect(() => rateLimitsFromConfig([{ per: 'tenant', limit: 5, window_seconds: 60 }])).toThrow(/rate_limits\[0\]\.per/);
    expect(() => rateLimitsFromConfig([{ per: 'agent', limit: 0, window_seconds: 60 }])).toThrow(/positive integer/);
  });
});
