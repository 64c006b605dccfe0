/**
 * `npm run bench [name…]`: runs bench/<name>.ts for each name given, or every
 * benchmark when none is. Each script prints its own figures next to its
 * reference run, measured in the same process run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  // soak*.ts is `npm run soak` and the processes it starts (soak-server.ts would listen until killed), not a benchmark.
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('soak'))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (available: ${available.join(', ')})`);
  process.exit(2);
}
let failed = false;
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n=== bench ${name} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
