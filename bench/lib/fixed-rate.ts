/**
 * Latency at a fixed offered rate (open loop): requests leave on a fixed
 * schedule, `rate` per second, whatever the answers do, over as many
 * keep-alive connections as that needs; each latency is measured from the
 * moment its request was due, so a server that falls behind shows its
 * queue in the figures instead of slowing the generator down (coordinated
 * omission). Below saturation this is the latency a caller sees; at
 * saturation a closed-loop p99 is only connections / throughput. Requests
 * go through lib/raw-http.ts (prebuilt bytes, minimal parsing), not
 * node:http's client, to keep the generator's CPU per request small.
 *
 * Several targets share one schedule (`targets`): their requests take
 * turns, each target offered `rate`, so every target's latencies come from
 * the same moments of the machine. Two servers measured in alternating
 * rounds each see only their own rounds' pauses of a third process (an
 * upstream they share, the garbage collector of a neighbour); measured in
 * one schedule, both see the same ones, and their difference is their own.
 *
 * `openFixedRateGenerator()` runs the schedule in a process of its own
 * (lib/fixed-rate-process.ts), so neither the bench's process (which may
 * host Gatehouse) nor its garbage collector delays the requests or their
 * timing. A late generator would still count against the server (latency
 * is timed from when a request was due), so every result carries the
 * generator's own event-loop delay and CPU: a high lag means the figures
 * show the machine, not the server.
 */
import { fork } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openRawHttpClient, requestBytes } from './raw-http.ts';

export interface FixedRateTarget {
  url: string;
  request: { method: string; headers: Record<string, string>; body?: string };
}

export interface FixedRateOptions {
  /** One or more targets; with several, their requests take turns in one schedule. */
  targets: FixedRateTarget[];
  /** Requests per second offered to each target. */
  rate: number;
  seconds: number;
}

export interface FixedRateResult {
  sent: number;
  ok: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  /**
   * Requests slower than STALL_MS: a p99 moves with how many of these a round happened to catch, so
   * the count, not only the percentile, says whether stalls were rarer on one side.
   */
  stalls: number;
  /** Each stall's due time (wall clock, ms since the epoch) and latency: to line up with the servers' traces (lib/stall-attribution.ts). */
  stallTimes: { at: number; ms: number }[];
  /** Failed requests by HTTP status; 0: the connection failed or closed before the answer. */
  failures: Record<number, number>;
  /** Connections the generator had to open: one per request that found every connection busy. */
  connections: number;
  /** The generator's event-loop delay over the run, p99 in ms: how late it may have sent. */
  generatorLagP99: number;
  /** The generator's CPU (user + system) per request sent, in ms. */
  generatorCpuPerRequest: number;
}

/** A request this much slower than it was due counts as a stall (`stalls`). */
export const STALL_MS = 10;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** One open-loop run in this process (the generator process calls it; see openFixedRateGenerator): one result per target, in order. */
export async function runFixedRate({ targets, rate, seconds }: FixedRateOptions): Promise<FixedRateResult[]> {
  const sides = targets.map(({ url, request }) => ({
    client: openRawHttpClient(url, requestBytes(url, request.method, request.headers, request.body)),
    latencies: [] as number[],
    stallTimes: [] as { at: number; ms: number }[],
    failures: {} as Record<number, number>,
    failed: 0,
    sent: 0,
  }));
  // Every target gets `rate`: the combined schedule sends that many times more, in turns.
  const combined = rate * sides.length;
  const total = Math.round(rate * seconds) * sides.length;
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const send = (side: (typeof sides)[number], due: number) => {
    side.sent++;
    return side.client.send().then((status) => {
      if (status >= 200 && status < 300) {
        const latency = performance.now() - due;
        side.latencies.push(latency);
        if (latency > STALL_MS) side.stallTimes.push({ at: performance.timeOrigin + due, ms: latency });
      } else {
        side.failed++;
        side.failures[status] = (side.failures[status] ?? 0) + 1;
      }
    });
  };
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    // Everything due by now leaves now (a late timer does not thin the schedule out).
    while (sent < total && start + (sent * 1000) / combined <= now) {
      inFlight.push(send(sides[sent % sides.length]!, start + (sent * 1000) / combined));
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (sent * 1000) / combined - performance.now())));
  }
  await Promise.all(inFlight);
  lag.disable();
  const cpu = process.cpuUsage(cpuBefore);
  return sides.map((side) => {
    side.client.close();
    const latencies = side.latencies.sort((a, b) => a - b);
    return {
      sent: side.sent,
      ok: latencies.length,
      failed: side.failed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      failures: side.failures,
      stalls: side.stallTimes.length,
      stallTimes: side.stallTimes,
      connections: side.client.opened,
      generatorLagP99: lag.percentile(99) / 1e6,
      generatorCpuPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, sent),
    };
  });
}

export interface FixedRateGenerator {
  /** The generator's process. */
  readonly pid: number;
  run(options: FixedRateOptions): Promise<FixedRateResult[]>;
  close(): void;
}

/**
 * The open-loop generator in its own Node process, kept for the whole bench
 * (warmed once, not restarted per run). Options, headers included, travel
 * over IPC, never the command line.
 */
export function openFixedRateGenerator(): FixedRateGenerator {
  const child = fork(fileURLToPath(new URL('./fixed-rate-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: { resolve: (result: FixedRateResult[]) => void; reject: (error: Error) => void } | undefined;
  child.on('message', (result: FixedRateResult[]) => {
    const waiting = pending;
    pending = undefined;
    waiting?.resolve(result);
  });
  child.on('exit', (code) => {
    pending?.reject(new Error(`the fixed-rate generator exited with ${code}`));
    pending = undefined;
  });
  return {
    pid: child.pid!,
    run: (options) =>
      new Promise<FixedRateResult[]>((resolve, reject) => {
        if (pending) return reject(new Error('one fixed-rate run at a time'));
        pending = { resolve, reject };
        child.send(options);
      }),
    close: () => {
      child.disconnect();
      child.kill('SIGTERM');
    },
  };
}
