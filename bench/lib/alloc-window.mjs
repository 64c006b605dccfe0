/**
 * A preload (`node --import`, with `--expose-gc`) for `npm run bench
 * gateway-alloc`: marks the start and the end of the measured calls in the
 * process it is loaded into. On each SIGUSR2 it runs a young-generation
 * collection (so the next collection's `allocated=` in --trace-gc-nvp counts
 * only what was allocated after the mark, and the mark's own counts all
 * before it), and, with GATEHOUSE_HEAP_PROFILE set, starts V8's sampling
 * heap profiler at the first mark and writes its profile (.heapprofile
 * JSON, as Chrome DevTools reads it) to that file at the second. The
 * profiler counts objects young-generation and full collections have
 * already freed too: what a call allocates and drops is what makes the
 * scavenges.
 *
 * Plain JavaScript: it is loaded into the built gateway, run by plain node.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.GATEHOUSE_HEAP_PROFILE;
const session = file ? new Session() : undefined;
session?.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
/** 'before' the first mark, 'sampling' between the marks (with a profile file), 'done' after. */
let state = 'before';

process.on('SIGUSR2', async () => {
  if (state === 'sampling') {
    state = 'done';
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
  }
  globalThis.gc?.({ type: 'minor' });
  if (state === 'before' && file) {
    state = 'sampling';
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
});
