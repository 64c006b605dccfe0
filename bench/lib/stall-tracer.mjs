/**
 * A preload (`node --import`) for `BENCH_TRACE_STALLS=1 npm run bench
 * gateway`: records, in the process it is loaded into, the pauses that can
 * make a call stall, with wall-clock times so that the traces of several
 * processes line up with the generator's slow requests:
 *
 * - every garbage collection (kind and duration, from perf_hooks);
 * - event-loop lag: a 2 ms interval timer that fired 5 ms or more late (the
 *   process was busy, paused, or not given a CPU);
 * - server requests slower than 5 ms (node:http's diagnostics channels);
 * - client requests slower than 5 ms, split into written (the request left)
 *   and headers (the answer's headers arrived).
 *
 * Plain JavaScript: it is loaded into the built gateway and into
 * server-everything, both run by plain node. One JSON line per event in the
 * file named by GATEHOUSE_STALL_TRACE, written every second and at exit.
 * It costs the process a timer wakeup every 2 ms: a diagnostic, never part
 * of a headline run.
 */
import diagnostics from 'node:diagnostics_channel';
import { appendFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const file = process.env.GATEHOUSE_STALL_TRACE;
if (file) {
  const SLOW_MS = 5;
  const TICK_MS = 2;
  const events = [];
  const wall = (at) => Math.round((performance.timeOrigin + at) * 10) / 10;
  const round = (ms) => Math.round(ms * 10) / 10;
  writeFileSync(file, '');
  const flush = () => {
    if (events.length === 0) return;
    appendFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    events.length = 0;
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) events.push({ type: 'gc', at: wall(entry.startTime), ms: round(entry.duration), kind: entry.detail?.kind });
  }).observe({ entryTypes: ['gc'] });

  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last - TICK_MS >= SLOW_MS) events.push({ type: 'lag', at: wall(last), ms: round(now - last) });
    last = now;
  }, TICK_MS).unref();

  const serverStarts = new WeakMap();
  diagnostics.subscribe('http.server.request.start', ({ request }) => serverStarts.set(request, performance.now()));
  diagnostics.subscribe('http.server.response.finish', ({ request }) => {
    const start = serverStarts.get(request);
    if (start === undefined) return;
    const ms = performance.now() - start;
    if (ms >= SLOW_MS) events.push({ type: 'server', at: wall(start), ms: round(ms), method: request.method });
  });

  diagnostics.subscribe('http.client.request.start', ({ request }) => {
    const start = performance.now();
    let written;
    request.once('finish', () => {
      written = performance.now() - start;
    });
    request.once('response', (response) => {
      const headers = performance.now() - start;
      // 'end' only: a 'data' listener would switch the body to flowing mode under its reader.
      response.once('end', () => {
        const ms = performance.now() - start;
        if (ms >= SLOW_MS) events.push({ type: 'client', at: wall(start), ms: round(ms), written: round(written ?? Number.NaN), headers: round(headers) });
      });
    });
  });

  setInterval(flush, 1000).unref();
  process.on('exit', flush);
}
