/**
 * A fixed-duration load run with autocannon: N keep-alive connections, one
 * request in flight each, for `seconds`. Returns throughput (2xx per
 * second), p99 latency and the failure counts, so a fast error is never
 * mistaken for a fast success.
 */
import autocannon, { type AutocannonRequest } from 'autocannon';

export interface LoadResult {
  rps: number;
  p99: number;
  ok: number;
  failed: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  request: AutocannonRequest;
}

export async function runLoad({ url, seconds, connections, request }: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1, requests: [request] });
  const ok = result['2xx'];
  return { rps: ok / result.duration, p99: result.latency.p99, ok, failed: result.non2xx + result.errors + result.timeouts };
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
export const basicAuth = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A body source that cycles through `values`, one per request. */
export function cycle<T>(values: readonly T[]): () => T {
  let index = 0;
  return () => values[index++ % values.length]!;
}
