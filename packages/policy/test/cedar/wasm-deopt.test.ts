import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FIXTURE = join(import.meta.dirname, 'fixtures/deopt-during-cedar-call.ts');

describe('Cedar on Node 20 (issue 15: the policy bench crashed in V8)', () => {
  it('a process deciding with Cedar survives V8 deoptimizing the caller while the Wasm call runs', () => {
    // Its own process: the failure this guards against aborts the whole process, and needs --allow-natives-syntax to force.
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', FIXTURE], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).not.toContain('Fatal error');
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({ status: 0, stdout: 'survived' });
  });
});
