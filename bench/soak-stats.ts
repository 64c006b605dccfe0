/**
 * What the soak run records: per-request latencies by kind (reset each
 * report interval), failures, and heap samples after forced GC, and the
 * verdict on memory.
 *
 * "Memory grows without bound" is decided on the heap after a forced full
 * GC (live objects only; rss also holds SQLite's page cache and freed pages
 * the allocator keeps). The samples of the paced phase are split in thirds;
 * the run fails when the median of the last third exceeds the median of the
 * first third by more than 25% AND by more than 16 MiB. A bounded cache
 * filling up early stays within that; a leak of a few KB per request does
 * not (at 100 requests/s, 1 KB each is ~6 MiB a minute).
 */
export const LEAK_RATIO = 1.25;
export const LEAK_BYTES = 16 * 1024 * 1024;

export const MiB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class Recorder {
  private window = new Map<string, number[]>();
  readonly failures: string[] = [];
  /** Every failure counted by its kind (the message up to the body it quotes), so a long run says what failed after the first few. */
  readonly failureKinds = new Map<string, number>();
  failureCount = 0;
  requests = 0;
  ops = 0;

  latency(kind: string, ms: number): void {
    this.requests += 1;
    let list = this.window.get(kind);
    if (!list) this.window.set(kind, (list = []));
    list.push(ms);
  }

  fail(message: string): void {
    this.failureCount += 1;
    const kind = message.split(': ')[0]!.slice(0, 120);
    this.failureKinds.set(kind, (this.failureKinds.get(kind) ?? 0) + 1);
    // Keep the first few verbatim (printed as they happen, so a long run shows them at once); the count says how many more there were.
    if (this.failures.length < 20) {
      this.failures.push(message);
      console.error(`failure: ${message}`);
    }
  }

  /** p50/p99 by kind and overall since the last call, then starts a new window. */
  drain(): { overall: { n: number; p50: number; p99: number }; byKind: Array<{ kind: string; n: number; p50: number; p99: number }> } {
    const all: number[] = [];
    const byKind = [...this.window].map(([kind, list]) => {
      all.push(...list);
      const sorted = list.sort((a, b) => a - b);
      return { kind, n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    });
    all.sort((a, b) => a - b);
    this.window = new Map();
    return { overall: { n: all.length, p50: percentile(all, 50), p99: percentile(all, 99) }, byKind };
  }
}

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export interface MemoryVerdict {
  first: number;
  last: number;
  grows: boolean;
  /** Least-squares slope of the samples, bytes per minute. */
  slopePerMinute: number;
}

/** Heap-after-GC samples ({at: ms, heap: bytes}) of the paced phase → the verdict described above. */
export function memoryVerdict(samples: ReadonlyArray<{ at: number; heap: number }>): MemoryVerdict {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = median(samples.slice(0, third).map((s) => s.heap));
  const last = median(samples.slice(-third).map((s) => s.heap));
  const n = samples.length;
  const meanAt = samples.reduce((sum, s) => sum + s.at, 0) / n;
  const meanHeap = samples.reduce((sum, s) => sum + s.heap, 0) / n;
  const num = samples.reduce((sum, s) => sum + (s.at - meanAt) * (s.heap - meanHeap), 0);
  const den = samples.reduce((sum, s) => sum + (s.at - meanAt) ** 2, 0);
  const slopePerMinute = den === 0 ? 0 : (num / den) * 60_000;
  return { first, last, grows: last > first * LEAK_RATIO && last - first > LEAK_BYTES, slopePerMinute };
}
