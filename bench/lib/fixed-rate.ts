/**
 * Latency at a fixed offered rate (open loop): requests leave on a fixed
 * schedule, `rate` per second, whatever the answers do, over as many
 * keep-alive connections as that needs; each latency is measured from the
 * moment its request was due, so a server that falls behind shows its
 * queue in the figures instead of slowing the generator down (coordinated
 * omission). Below saturation this is the latency a caller sees; at
 * saturation a closed-loop p99 is only connections / throughput.
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface FixedRateOptions {
  url: string;
  rate: number;
  seconds: number;
  request: { method: string; headers: Record<string, string>; body?: string };
}

export interface FixedRateResult {
  sent: number;
  ok: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export async function runFixedRate({ url, rate, seconds, request }: FixedRateOptions): Promise<FixedRateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = { ...request.headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) };
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: request.method, headers, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - due);
          else failed++;
          resolve();
        });
        res.on('error', () => {
          failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    // Everything due by now leaves now (a late timer does not thin the schedule out).
    while (sent < total && start + (sent * 1000) / rate <= now) {
      inFlight.push(send(start + (sent * 1000) / rate));
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (sent * 1000) / rate - performance.now())));
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { sent, ok: latencies.length, failed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN };
}
