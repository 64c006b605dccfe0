/**
 * `npm run soak`: Gatehouse as `gatehouse serve` composes it, plus the
 * example company's SDK-protected demo MCP server, under a mixed workload
 * for SOAK_MINUTES (default 10): whole authorization-code flows (login and
 * consent forms over HTTP), refresh rotations, introspection and MCP
 * tools/call. A short closed-loop ramp measures the peak rate of that mix
 * first; the soak then paces operations at half of it. Every minute it
 * prints throughput, p50/p99 latency by request kind, rss and heap. It exits
 * 1 when any request failed or the heap after forced GC grows without bound
 * (the rule is in soak-stats.ts).
 *
 * SOAK_STORE=postgres runs on postgres://postgres@127.0.0.1:5432/test in a
 * schema of its own (dropped afterwards); default a SQLite file in a temp
 * dir. SOAK_RAMP_SECONDS (5 per step), SOAK_REPORT_SECONDS (60),
 * SOAK_GC_SECONDS (15: how often the heap is sampled after a forced GC).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChild } from './lib/child.ts';
import type { MemorySample, SoakServerInfo } from './soak-server.ts';
import { LEAK_BYTES, LEAK_RATIO, memoryVerdict, MiB, Recorder } from './soak-stats.ts';
import { Workload } from './soak-workload.ts';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RAMP_SECONDS = Number(process.env.SOAK_RAMP_SECONDS ?? 5);
const REPORT_SECONDS = Number(process.env.SOAK_REPORT_SECONDS ?? 60);
const GC_SECONDS = Number(process.env.SOAK_GC_SECONDS ?? 15);
const RAMP_CONCURRENCY = [4, 8, 16, 32];
const MAX_IN_FLIGHT = 256;
/** Operations and their shares of the mix (a flow is about seven requests, so it is the rarest). */
const MIX = [
  ['flow', 5],
  ['refresh', 20],
  ['introspect', 35],
  ['mcp', 40],
] as const;
type Op = (typeof MIX)[number][0];

// Forced GC in the server process needs --expose-gc (startChild passes BENCH_CHILD_ARGS to node).
process.env.BENCH_CHILD_ARGS = [process.env.BENCH_CHILD_ARGS, '--expose-gc'].filter(Boolean).join(' ');
const here = dirname(fileURLToPath(import.meta.url));
const server = await startChild<SoakServerInfo>(join(here, 'soak-server.ts'));
// However this process ends, the server process ends with it (stop() signals it synchronously).
process.on('exit', () => void server.stop());
const recorder = new Recorder();
const work = new Workload(server.info, recorder);
const memory = (gc: boolean) => server.ask<MemorySample>(gc ? 'memory:gc' : 'memory');
console.log(`soak: ${server.info.store}, issuer ${server.info.issuer}, MCP ${server.info.mcpUrl}, ${MINUTES} min`);

const TOTAL_WEIGHT = MIX.reduce((sum, [, w]) => sum + w, 0);
function pickOp(): Op {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const [op, weight] of MIX) if ((roll -= weight) < 0) return op;
  return 'mcp';
}
const anySession = () => work.sessions[Math.floor(Math.random() * work.sessions.length)]!;
const people = server.info.people;

async function runOp(): Promise<void> {
  try {
    const op = pickOp();
    if (op === 'flow') await work.authorizationFlow(people[Math.floor(Math.random() * people.length)]!);
    else if (op === 'refresh') {
      const idle = work.sessions.filter((s) => !s.busy);
      const session = idle[Math.floor(Math.random() * idle.length)];
      if (session) await work.refresh(session);
      else await work.introspect(anySession());
    } else if (op === 'introspect') await work.introspect(anySession());
    else await work.toolCall(anySession());
    recorder.ops += 1;
  } catch (error) {
    recorder.fail((error as Error).message);
  }
}

/** `concurrency` workers back to back for `seconds`: operations per second. */
async function closedLoop(concurrency: number, seconds: number): Promise<number> {
  const before = recorder.ops;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await runOp();
    }),
  );
  return (recorder.ops - before) / seconds;
}

// Warm-up: the client registration and a few sessions per person.
await work.register();
for (let i = 0; i < 2; i++) for (const person of people) await work.authorizationFlow(person);

let peak = 0;
for (const concurrency of RAMP_CONCURRENCY) {
  const rate = await closedLoop(concurrency, RAMP_SECONDS);
  const { overall } = recorder.drain();
  console.log(`ramp: ${concurrency} workers → ${rate.toFixed(0)} ops/s (request p50 ${overall.p50.toFixed(1)} ms, p99 ${overall.p99.toFixed(1)} ms)`);
  peak = Math.max(peak, rate);
}
const target = peak / 2;
console.log(`peak ${peak.toFixed(0)} ops/s; soaking at ${target.toFixed(0)} ops/s for ${MINUTES} min (heap after GC sampled every ${GC_SECONDS} s)`);

const heapSamples: Array<{ at: number; heap: number; rss: number }> = [];
const start = performance.now();
const sampleHeap = async () => {
  const sample = await memory(true);
  heapSamples.push({ at: performance.now() - start, heap: sample.heapUsed, rss: sample.rss });
};
await sampleHeap();

let lastReport = start;
let lastOps = recorder.ops;
async function report(): Promise<void> {
  const now = performance.now();
  const { overall, byKind } = recorder.drain();
  const mem = await memory(false);
  const rate = (recorder.ops - lastOps) / ((now - lastReport) / 1000);
  lastOps = recorder.ops;
  lastReport = now;
  const kinds = byKind.map((k) => `${k.kind} ${k.p50.toFixed(1)}/${k.p99.toFixed(1)}`).join(', ');
  console.log(
    `[${((now - start) / 60_000).toFixed(1)} min] ${rate.toFixed(0)} ops/s, ${overall.n} requests, p50 ${overall.p50.toFixed(1)} ms, p99 ${overall.p99.toFixed(1)} ms ` +
      `| rss ${MiB(mem.rss)}, heap ${MiB(mem.heapUsed)}, heap after GC ${MiB(heapSamples.at(-1)!.heap)} | failures ${recorder.failureCount}\n    p50/p99 ms: ${kinds}`,
  );
}

// Paced phase: launch the operations due since the start (rate × elapsed), a few ms apart.
const inFlight = new Set<Promise<void>>();
let launched = 0;
let skipped = 0;
let nextGc = start + GC_SECONDS * 1000;
let nextReport = start + REPORT_SECONDS * 1000;
const end = start + MINUTES * 60_000;
while (performance.now() < end) {
  const now = performance.now();
  const due = Math.floor(((now - start) / 1000) * target) - launched;
  for (let i = 0; i < due; i++) {
    launched += 1;
    // Past the in-flight cap the server is not keeping up; the count is printed, the rate is not held.
    if (inFlight.size >= MAX_IN_FLIGHT) {
      skipped += 1;
      continue;
    }
    const op = runOp().finally(() => inFlight.delete(op));
    inFlight.add(op);
  }
  if (now >= nextGc) {
    nextGc += GC_SECONDS * 1000;
    void sampleHeap();
  }
  if (now >= nextReport) {
    nextReport += REPORT_SECONDS * 1000;
    void report();
  }
  await sleep(5);
}
await Promise.all(inFlight);
await sampleHeap();
if (performance.now() - lastReport > 1000) await report();

const verdict = memoryVerdict(heapSamples);
const first = heapSamples[0]!;
const last = heapSamples.at(-1)!;
console.log(
  `\nsoak done: ${recorder.ops} operations, ${recorder.requests} requests at a target of ${target.toFixed(0)} ops/s (peak ${peak.toFixed(0)}), ${skipped} operations skipped at the in-flight cap`,
);
console.log(`memory: start rss ${MiB(first.rss)}, heap after GC ${MiB(first.heap)}; end rss ${MiB(last.rss)}, heap after GC ${MiB(last.heap)}`);
console.log(
  `heap after GC, median of first third ${MiB(verdict.first)} → last third ${MiB(verdict.last)}, slope ${MiB(verdict.slopePerMinute)}/min ` +
    `(fails above ×${LEAK_RATIO} and +${MiB(LEAK_BYTES)}): ${verdict.grows ? 'GROWS' : 'bounded'}`,
);
console.log(`failures: ${recorder.failureCount}`);
for (const [kind, count] of recorder.failureKinds) console.log(`  ${count} × ${kind}`);
for (const failure of recorder.failures) console.log(`  ${failure}`);
await server.stop();
process.exit(recorder.failureCount > 0 || verdict.grows ? 1 : 0);
