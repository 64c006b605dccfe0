/**
 * The open-loop generator's own process (forked by openFixedRateGenerator in
 * lib/fixed-rate.ts): one run per IPC message, its result sent back.
 */
import { runFixedRate, type FixedRateOptions } from './fixed-rate.ts';

process.on('message', async (options: FixedRateOptions) => {
  process.send!(await runFixedRate(options));
});
process.on('disconnect', () => process.exit(0));
