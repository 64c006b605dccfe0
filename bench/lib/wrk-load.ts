/**
 * A fixed-duration load run with wrk (a C load generator), when it is
 * installed: N keep-alive connections, one request in flight each, as
 * load.ts does with autocannon. On a 2-core machine the load generator
 * shares the cores with the servers it measures, and autocannon (a Node
 * process) costs about as much CPU per request as a small server does;
 * wrk costs a fraction of that, so less of the client's cost is charged
 * to the server under test. One header (e.g. Authorization) can take a
 * value picked at random per request from a list, which a wrk Lua script
 * does; the values go through a file, never the command line.
 *
 * `loadGenerator()` says which one runs: wrk when it is on PATH, else
 * autocannon (load.ts), with a warning printed by the caller.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadResult } from './load.ts';

export interface VariedLoadOptions {
  url: string;
  seconds: number;
  connections: number;
  method: 'POST' | 'GET';
  body?: string;
  headers: Record<string, string>;
  /** A header whose value is picked at random among `values` for each request. */
  varied?: { header: string; values: readonly string[] };
}

export type LoadGenerator = 'wrk' | 'autocannon';

let detected: LoadGenerator | undefined;

/** wrk when installed (BENCH_LOAD=autocannon forces autocannon). */
export function loadGenerator(): LoadGenerator {
  if (detected) return detected;
  if (process.env.BENCH_LOAD === 'autocannon') return (detected = 'autocannon');
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  detected = probe.error === undefined && /wrk/.test(`${probe.stdout}${probe.stderr}`) ? 'wrk' : 'autocannon';
  return detected;
}

export async function runVariedLoad(options: VariedLoadOptions): Promise<LoadResult> {
  if (loadGenerator() === 'wrk') return runWrk(options);
  const { url, seconds, connections, method, body, headers, varied } = options;
  const pick = varied ? () => ({ [varied.header]: varied.values[Math.floor(Math.random() * varied.values.length)]! }) : () => ({});
  return runLoad({ url, seconds, connections, request: { method, ...(body !== undefined ? { body } : {}), setupRequest: (request) => ({ ...request, headers: { ...headers, ...pick() } }) } });
}

const lua = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;

/** The Lua script: a random value per request from the values file, and a JSON summary line at the end. */
function script(options: VariedLoadOptions, valuesFile: string | undefined): string {
  const fixed = Object.entries(options.headers)
    .map(([name, value]) => `[${lua(name)}] = ${lua(value)}`)
    .join(', ');
  return `
local headers = { ${fixed} }
local body = ${options.body !== undefined ? lua(options.body) : 'nil'}
local values = {}
local varied = ${options.varied ? lua(options.varied.header) : 'nil'}
${valuesFile ? `for line in io.lines(${lua(valuesFile)}) do values[#values + 1] = line end` : ''}
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  math.randomseed(os.time() * 1000 + (wrk.thread:get("id") or 0))
end
function request()
  if varied then headers[varied] = values[math.random(#values)] end
  return wrk.format(${lua(options.method)}, nil, headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"durationUs":%d,"p99Us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout))
end
`;
}

async function runWrk(options: VariedLoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const valuesFile = options.varied ? join(dir, 'values.txt') : undefined;
    if (valuesFile) writeFileSync(valuesFile, `${options.varied!.values.join('\n')}\n`, { mode: 0o600 });
    const scriptFile = join(dir, 'load.lua');
    writeFileSync(scriptFile, script(options, valuesFile));
    // One thread: the client should take as little of the 2 cores as it can; wrk's one thread drives tens of thousands of req/s.
    const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '-s', scriptFile, options.url];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
    });
    const line = output.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result: ${output}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length)) as { requests: number; durationUs: number; p99Us: number; status: number; connect: number; read: number; write: number; timeout: number };
    const failed = r.status + r.connect + r.read + r.write + r.timeout;
    const ok = Math.max(0, r.requests - r.status);
    return { rps: ok / (r.durationUs / 1e6), p99: r.p99Us / 1000, ok, failed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
