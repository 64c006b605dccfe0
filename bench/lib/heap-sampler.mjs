/**
 * A preload (`node --import`) for `npm run bench gateway-alloc` with
 * BENCH_HEAP_PROFILE: V8's sampling heap profiler in the process it is
 * loaded into, counting objects young-generation and full collections have
 * already freed too (what a call allocates and drops is what makes the
 * scavenges). The profiler starts on the first SIGUSR2, and the second
 * SIGUSR2 writes the profile (.heapprofile JSON, as Chrome
 * DevTools reads it) to the file named by GATEHOUSE_HEAP_PROFILE.
 *
 * Plain JavaScript: it is loaded into the built gateway, run by plain node.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.GATEHOUSE_HEAP_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      void post('HeapProfiler.enable')
        .then(() => post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }))
        .then(() => process.stderr.write('heap sampler: started\n'));
      return;
    }
    sampling = false;
    void post('HeapProfiler.stopSampling').then(({ profile }) => {
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`heap sampler: written to ${file}\n`);
    });
  });
}
