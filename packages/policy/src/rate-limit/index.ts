export { rateLimitGate, validateRateLimits, RATE_LIMITED, type RateLimit, type RateLimitGateOptions } from './gate.ts';
export { MemoryBuckets, step, type Buckets, type BucketRule, type Take } from './buckets.ts';
export { RedisBuckets, type RedisBucketsOptions } from './redis-buckets.ts';
export { rateLimitsFromConfig } from './config.ts';
