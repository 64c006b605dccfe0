/**
 * Token buckets shared through Redis, so every process serving the same
 * MCP server counts against one limit. The read-refill-take-write is one
 * Lua script (atomic in Redis: no two processes interleave inside it), and
 * the time is Redis's own (TIME) unless the caller injects a clock, so
 * processes with drifting clocks still agree. Keys expire once a full
 * bucket would have refilled.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { BucketRule, Buckets, Take } from './buckets.ts';

const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local rate = capacity / window
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
if now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * rate)
  updated = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(updated))
redis.call('PEXPIRE', KEYS[1], window + 1000)
return { allowed, retry, math.floor(tokens) }
`;

type TakeReply = [number, number, number];
interface WithTake extends Redis {
  gatehouseTakeToken(key: string, capacity: string, windowMs: string, now: string): Promise<TakeReply>;
}

export interface RedisBucketsOptions {
  /** redis://host:port/db, or an ioredis client this object does not own. */
  redis: string | Redis;
  /** Prefix of every key, e.g. `gatehouse:rl:`; several servers on one Redis keep theirs apart. */
  keyPrefix?: string;
  /** Use the caller's `now` instead of Redis's TIME (tests with an injected clock). */
  callerClock?: boolean;
  redisOptions?: RedisOptions;
}

export class RedisBuckets implements Buckets {
  private readonly client: WithTake;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly callerClock: boolean;

  constructor(options: RedisBucketsOptions) {
    this.owned = typeof options.redis === 'string';
    const client = typeof options.redis === 'string' ? new Redis(options.redis, { maxRetriesPerRequest: 1, enableOfflineQueue: true, ...options.redisOptions }) : options.redis;
    if (!('gatehouseTakeToken' in client)) client.defineCommand('gatehouseTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.client = client as WithTake;
    this.prefix = options.keyPrefix ?? 'gatehouse:rl:';
    this.callerClock = options.callerClock ?? false;
  }

  async take(key: string, rule: BucketRule, now: number): Promise<Take> {
    const [allowed, retry, remaining] = await this.client.gatehouseTakeToken(this.prefix + key, String(rule.capacity), String(rule.windowMs), this.callerClock ? String(now) : '');
    return { allowed: allowed === 1, retryAfterMs: Number(retry), remaining: Number(remaining) };
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.quit();
  }
}
