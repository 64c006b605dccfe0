/**
 * The gateway bench's stall diagnosis (BENCH_TRACE_STALLS): the tracer
 * records what paused a process, and the attribution puts a stall down to
 * the processes paused while it lasted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attributeStalls, readTrace, type TraceEvent } from '../../../bench/lib/stall-attribution.ts';

const TRACER = join(import.meta.dirname, '../../../bench/lib/stall-tracer.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const gc = (at: number, ms: number): TraceEvent => ({ type: 'gc', at, ms, kind: 1 });
const lag = (at: number, ms: number): TraceEvent => ({ type: 'lag', at, ms });

describe('stall attribution', () => {
  it('puts a stall down to the process whose collection overlapped it', () => {
    const causes = attributeStalls([{ at: 1_000, ms: 15 }], { upstream: [gc(1_005, 8)], gateway: [gc(900, 8), lag(1_100, 20)] });
    expect(causes).toEqual({ stalls: 1, paused: { upstream: { any: 1, gc: 1 }, gateway: { any: 0, gc: 0 } }, several: 0, none: 0 });
  });

  it('counts a stall overlapping pauses of both processes once under each, and as more than one paused', () => {
    const causes = attributeStalls([{ at: 1_000, ms: 15 }], { upstream: [gc(995, 7)], gateway: [lag(1_010, 12)] });
    expect(causes.paused).toEqual({ upstream: { any: 1, gc: 1 }, gateway: { any: 1, gc: 0 } });
    expect(causes.several).toBe(1);
  });

  it('does not count a collection too short to stall a call, nor one that ended before the request was due', () => {
    const causes = attributeStalls([{ at: 1_000, ms: 12 }], { upstream: [gc(1_002, 1.5), gc(990, 9)] });
    expect(causes.none).toBe(1);
    expect(causes.paused.upstream).toEqual({ any: 0, gc: 0 });
  });
});

describe('stall tracer', () => {
  it('records, with wall-clock times, an event-loop lag and a request slowed by the server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-stall-tracer-'));
    dirs.push(dir);
    const trace = join(dir, 'trace.jsonl');
    // A server answering after 30 ms, one request to it, then the event loop blocked for 40 ms.
    const script = `
      import { createServer, request } from 'node:http';
      const server = createServer((req, res) => setTimeout(() => res.end('ok'), 30));
      server.listen(0, '127.0.0.1', () => {
        request({ port: server.address().port, host: '127.0.0.1' }, (res) => {
          res.resume();
          res.on('end', () => setTimeout(() => {
            const until = Date.now() + 40;
            while (Date.now() < until);
            setTimeout(() => server.close(), 20);
          }, 10));
        }).end();
      });`;
    const before = Date.now();
    execFileSync(process.execPath, ['--import', TRACER, '--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '', GATEHOUSE_STALL_TRACE: trace } });
    const events = readTrace(trace);
    const lags = events.filter((event) => event.type === 'lag');
    expect(lags.some((event) => event.ms >= 40)).toBe(true);
    expect(events.find((event) => event.type === 'server')?.ms).toBeGreaterThanOrEqual(29);
    const client = events.find((event) => event.type === 'client') as (TraceEvent & { headers: number }) | undefined;
    expect(client?.headers).toBeGreaterThanOrEqual(29);
    for (const event of events) expect(event.at).toBeGreaterThanOrEqual(before - 1_000);
  });
});
