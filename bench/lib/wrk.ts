/**
 * A fixed-duration saturation run with `wrk` (C, one thread): N keep-alive
 * connections, one request in flight each. wrk costs far less CPU per
 * request than autocannon, which runs in the bench's own process: on a
 * two-core machine every CPU millisecond the load generator spends is taken
 * from the servers it measures. Same result shape as runLoad (load.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadOptions, LoadResult } from './load.ts';

/** The wrk binary on PATH, or undefined. */
export function findWrk(): string | undefined {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (error) {
    // wrk --version exits 1 after printing its version: it is there.
    return (error as { status?: number }).status === 1 ? 'wrk' : undefined;
  }
}

const luaString = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export async function runWrk({ url, seconds, connections, request }: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-wrk-'));
  try {
    const script = join(dir, 'request.lua');
    const headers = Object.entries((request.headers ?? {}) as Record<string, string>).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`);
    writeFileSync(script, [`wrk.method = ${luaString(request.method ?? 'GET')}`, ...(request.body !== undefined ? [`wrk.body = ${luaString(String(request.body))}`] : []), ...headers, ''].join('\n'));
    const output = await new Promise<string>((resolve, reject) =>
      execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    return parseWrk(output, seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MS = { us: 0.001, ms: 1, s: 1000 } as const;

/** wrk's report: "N requests in 2.00s", "99%  12.34ms", "Non-2xx or 3xx responses: N", "Socket errors: connect a, read b, write c, timeout d". */
export function parseWrk(output: string, seconds: number): LoadResult {
  const total = Number(/(\d+) requests in ([\d.]+)(\w+)/.exec(output)?.[1] ?? Number.NaN);
  const elapsed = /\d+ requests in ([\d.]+)(us|ms|s)/.exec(output);
  const duration = elapsed ? (Number(elapsed[1]) * MS[elapsed[2] as keyof typeof MS]) / 1000 : seconds;
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)/m.exec(output);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  if (!Number.isFinite(total) || !p99) throw new Error(`unexpected wrk output:\n${output}`);
  const failed = non2xx + socketErrors;
  const ok = total - non2xx;
  return { rps: ok / duration, p99: Number(p99[1]) * MS[p99[2] as keyof typeof MS], ok, failed };
}
