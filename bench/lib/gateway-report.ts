/**
 * How bench/gateway.ts prints its rounds and its latency table: a round's
 * figures on one line, and a row per rate with both sides, what the gateway
 * added (median of the per-round differences) and the stalls of each side.
 */
import { STALL_MS, type FixedRateResult } from './fixed-rate.ts';
import type { LoadResult } from './load.ts';

export const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export const fmt = (r: LoadResult) => `${r.rps.toFixed(0).padStart(6)} req/s  p99 ${r.p99.toFixed(2).padStart(6)} ms  (${r.ok} ok, ${r.failed} failed)`;
export const fmtRate = (r: FixedRateResult) =>
  `p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  max ${r.max.toFixed(1).padStart(6)} ms  stalls > ${STALL_MS} ms ${String(r.stalls).padStart(4)}  (${r.ok} ok, ${r.failed} failed${
    r.failed > 0
      ? ` [${Object.entries(r.failures)
          .map(([status, count]) => `${count} × ${status === '0' ? 'connection lost' : `HTTP ${status}`}`)
          .join(', ')}]`
      : ''
  }; ${r.connections} connections; generator lag p99 ${r.generatorLagP99.toFixed(1)} ms)`;
const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;

/** One row of the latency table: `entry.direct[i]` and `entry.gateway[i]` are the two sides of round i. */
export function printRow(mark: string, label: string, entry: { direct: FixedRateResult[]; gateway: FixedRateResult[] }): void {
  const m = (results: FixedRateResult[], pick: (r: FixedRateResult) => number) => median(results.map(pick));
  const added = (pick: (r: FixedRateResult) => number) => median(entry.direct.map((d, i) => pick(entry.gateway[i]!) - pick(d)));
  console.log(
    `${mark} ${label.padEnd(52)} ${ms(m(entry.direct, (r) => r.p50))} / ${ms(m(entry.direct, (r) => r.p99))}   ${ms(m(entry.gateway, (r) => r.p50))} / ${ms(m(entry.gateway, (r) => r.p99))}   ${ms(added((r) => r.p50))} / ${ms(added((r) => r.p99))}   ${ms(m([...entry.direct, ...entry.gateway], (r) => r.generatorLagP99))}   ${String(sum(entry.direct, (r) => r.stalls)).padStart(5)} / ${sum(entry.gateway, (r) => r.stalls)}`,
  );
}
