/**
 * A separate process taking tokens from one Redis-shared bucket (the
 * two-process rate-limit test): argv redisUrl keyPrefix takes; prints one
 * JSON line { allowed, refused } when done.
 */
import { RedisBuckets } from '../../src/rate-limit/redis-buckets.ts';
import { rateLimitGate } from '../../src/rate-limit/gate.ts';

const [redisUrl, keyPrefix, takes] = process.argv.slice(2) as [string, string, string];
const buckets = new RedisBuckets({ redis: redisUrl, keyPrefix });
const gate = rateLimitGate({ buckets, limits: [{ tool: 'export_revenue', per: 'principal', limit: 10, windowSeconds: 3600 }] });
let allowed = 0;
let refused = 0;
for (let i = 0; i < Number(takes); i++) {
  const verdict = await gate({
    principal: { subject: 'user-1', kind: 'user', orgId: 'org-1', roles: [], clientId: `agent-of-process-${process.pid}` },
    operation: { kind: 'tool', name: 'export_revenue', arguments: {} },
    request: { id: i, method: 'tools/call', params: {} },
    context: { time: Date.now(), resource: 'https://mcp.acme.test/mcp' },
    token: 'unused',
  });
  if (verdict.kind === 'run') allowed++;
  else refused++;
}
process.stdout.write(`${JSON.stringify({ allowed, refused })}\n`);
await buckets.close();
