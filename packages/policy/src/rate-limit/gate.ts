/**
 * Rate limits as a call gate (issue 15 item 5; docs/rate-limits.md): each
 * limit counts calls of one tool (or of every tool) per principal (the
 * token's subject in its org), per agent (the OAuth client), or per
 * principal and agent together, in a token bucket. Every matching limit
 * takes a token; the first empty bucket refuses the call with a JSON-RPC
 * error carrying `data.retryAfter` (seconds) and the limit, and the refusal
 * goes to the decision record. A limit store that cannot be reached fails
 * the call closed (the SDK answers an internal error), never open.
 */
import { jsonRpcError, RUN, type Gate, type GateInput } from '../gate-types.ts';
import type { Buckets } from './buckets.ts';

/** JSON-RPC code of a rate-limited call (implementation-defined server range; MCP defines none). */
export const RATE_LIMITED = -32004;

export interface RateLimit {
  /** The tool counted; omitted: every tool call counts (one bucket per tool). */
  tool?: string;
  /** Whose calls share a bucket. */
  per: 'principal' | 'agent' | 'principal_agent';
  /** Calls allowed per window (also the burst). */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitGateOptions {
  limits: RateLimit[];
  buckets: Buckets;
}

const who = (input: GateInput, per: RateLimit['per']): string => {
  const principal = `${input.principal.orgId ?? '-'}/${input.principal.subject}`;
  if (per === 'agent') return `agent:${input.principal.clientId}`;
  if (per === 'principal') return `principal:${principal}`;
  return `principal:${principal}|agent:${input.principal.clientId}`;
};

export function validateRateLimits(limits: RateLimit[]): void {
  for (const limit of limits) {
    if (!Number.isInteger(limit.limit) || limit.limit < 1) throw new Error(`rate limit ${limit.tool ?? '*'}: limit must be a positive integer`);
    if (!(limit.windowSeconds > 0)) throw new Error(`rate limit ${limit.tool ?? '*'}: window_seconds must be positive`);
  }
}

export function rateLimitGate(options: RateLimitGateOptions): Gate {
  validateRateLimits(options.limits);
  return async (input) => {
    if (input.operation.kind !== 'tool') return RUN;
    for (const limit of options.limits) {
      if (limit.tool !== undefined && limit.tool !== input.operation.name) continue;
      // Key parts are encoded so a subject containing the separator cannot share another's bucket.
      const key = `${encodeURIComponent(input.context.resource)}|${encodeURIComponent(input.operation.name)}|${limit.per}|${encodeURIComponent(who(input, limit.per))}|${limit.limit}/${limit.windowSeconds}`;
      const take = await options.buckets.take(key, { capacity: limit.limit, windowMs: limit.windowSeconds * 1000 }, input.context.time);
      if (take.allowed) continue;
      const retryAfter = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
      return {
        kind: 'answer',
        message: jsonRpcError(
          input.request.id,
          RATE_LIMITED,
          `Rate limit exceeded: ${limit.limit} calls of ${input.operation.name} per ${limit.windowSeconds} s ${limit.per === 'agent' ? 'for this agent' : 'for you'}; retry in ${retryAfter} s`,
          {
            retryAfter,
            limit: limit.limit,
            windowSeconds: limit.windowSeconds,
            per: limit.per,
          },
        ),
        reason: `rate limited: ${limit.limit} per ${limit.windowSeconds} s per ${limit.per}`,
      };
    }
    return RUN;
  };
}
