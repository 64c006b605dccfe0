/**
 * Token buckets (issue 15 item 5): a bucket holds up to `capacity` tokens
 * and refills continuously at `capacity / windowMs`; a call takes one token
 * or is refused with the time until one is back. Two implementations of
 * one interface: in this process's memory, or shared by every process
 * through Redis (redis-buckets.ts).
 */
export interface BucketRule {
  /** Burst size and the number of calls per window. */
  capacity: number;
  windowMs: number;
}

export interface Take {
  allowed: boolean;
  /** Milliseconds until a token is back (0 when allowed). */
  retryAfterMs: number;
  /** Whole tokens left after this take. */
  remaining: number;
}

export interface Buckets {
  take(key: string, rule: BucketRule, now: number): Promise<Take>;
  close?(): Promise<void>;
}

/** One step of the bucket arithmetic, shared by the memory buckets and mirrored by the Redis script. */
export function step(tokens: number, updatedAt: number, rule: BucketRule, now: number): { tokens: number; take: Take } {
  const rate = rule.capacity / rule.windowMs;
  const refilled = Math.min(rule.capacity, tokens + Math.max(0, now - updatedAt) * rate);
  if (refilled >= 1) return { tokens: refilled - 1, take: { allowed: true, retryAfterMs: 0, remaining: Math.floor(refilled - 1) } };
  return { tokens: refilled, take: { allowed: false, retryAfterMs: Math.ceil((1 - refilled) / rate), remaining: 0 } };
}

/** Buckets in this process only: right for one instance, wrong for several (use Redis then). */
export class MemoryBuckets implements Buckets {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  async take(key: string, rule: BucketRule, now: number): Promise<Take> {
    const current = this.buckets.get(key) ?? { tokens: rule.capacity, updatedAt: now };
    const next = step(current.tokens, current.updatedAt, rule, now);
    // Bounded: a flood of distinct principals must not grow memory without end; the oldest key goes first.
    if (!this.buckets.has(key) && this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    this.buckets.set(key, { tokens: next.tokens, updatedAt: Math.max(now, current.updatedAt) });
    return next.take;
  }
}
