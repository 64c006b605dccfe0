/**
 * Which process was paused while a request stalled: the generator's stalls
 * (lib/fixed-rate.ts `stallTimes`) against the traces lib/stall-tracer.mjs
 * wrote in the upstream and the gateway. A stall is put down to a process
 * when one of its pauses overlaps the stall's span (from when the request
 * was due to its answer): a collection of PAUSE_MS or more, or an
 * event-loop lag (the tracer records lags of 5 ms and more: the process was
 * busy, paused or not given a CPU). Overlap is no proof of cause, but a
 * stall that overlaps no pause of either server points at the machine or
 * the network, and one that overlaps only the upstream's is not the
 * gateway's doing.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface TraceEvent {
  type: 'gc' | 'lag' | 'server' | 'client';
  /** Wall clock, ms since the epoch. */
  at: number;
  ms: number;
  kind?: number;
}

/** A collection shorter than this is no pause worth a stall of 10 ms. */
const PAUSE_MS = 3;

export function readTrace(file: string): TraceEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceEvent);
}

const pauses = (trace: TraceEvent[]) => trace.filter((event) => event.type === 'lag' || (event.type === 'gc' && event.ms >= PAUSE_MS));

const overlaps = (pause: TraceEvent, stall: { at: number; ms: number }) => pause.at < stall.at + stall.ms && pause.at + pause.ms > stall.at;

export interface StallCauses {
  stalls: number;
  /** Stalls overlapping a pause of this process (its collections among them). */
  paused: Record<string, { any: number; gc: number }>;
  /** Stalls overlapping a pause of more than one process. */
  several: number;
  /** Stalls overlapping no pause of any traced process. */
  none: number;
}

/** Counts the stalls overlapping each traced process's pauses. */
export function attributeStalls(stalls: { at: number; ms: number }[], traces: Record<string, TraceEvent[]>): StallCauses {
  const byProcess = Object.entries(traces).map(([name, trace]) => [name, pauses(trace)] as const);
  const causes: StallCauses = { stalls: stalls.length, paused: {}, several: 0, none: 0 };
  for (const [name] of byProcess) causes.paused[name] = { any: 0, gc: 0 };
  for (const stall of stalls) {
    let pausedProcesses = 0;
    for (const [name, list] of byProcess) {
      const hits = list.filter((pause) => overlaps(pause, stall));
      if (hits.length === 0) continue;
      pausedProcesses++;
      causes.paused[name]!.any++;
      if (hits.some((pause) => pause.type === 'gc')) causes.paused[name]!.gc++;
    }
    if (pausedProcesses === 0) causes.none++;
    if (pausedProcesses > 1) causes.several++;
  }
  return causes;
}

export function formatStallCauses(causes: StallCauses): string {
  if (causes.stalls === 0) return 'no stalls';
  const share = (count: number) => `${count} (${Math.round((100 * count) / causes.stalls)}%)`;
  const processes = Object.entries(causes.paused).map(([name, counts]) => `${name} paused ${share(counts.any)}, by its GC ${counts.gc}`);
  return `${causes.stalls} stalls: ${processes.join('; ')}; more than one paused ${causes.several}; none paused ${share(causes.none)}`;
}
