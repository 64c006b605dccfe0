/**
 * `npm run bench as`: Gatehouse's authorization server against
 * node-oidc-provider, measured in one run on the same machine. Each server
 * runs in its own process; autocannon drives it for a fixed duration per
 * scenario (after a short warm-up) and we print 2xx req/s, p99 latency and
 * the Gatehouse/oidc-provider throughput ratio. Targets: ≥2× on
 * introspection, ≥1.5× on issuance, and every acknowledged token persisted
 * (Gatehouse writes to a SQLite file; oidc-provider keeps tokens in memory).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AutocannonRequest } from 'autocannon';
import { startChild } from './lib/child.ts';
import { AGENT, PUBLIC_CLIENT, RESOURCE, RESOURCE_SERVER, SCOPE, type BenchServerInfo } from './lib/as-shared.ts';
import { basicAuth, cycle, form, runLoad, type LoadResult } from './lib/load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const here = dirname(fileURLToPath(import.meta.url));
const FORM = 'application/x-www-form-urlencoded';

type Scenario = { name: string; target: number | undefined; gatehouse: (info: BenchServerInfo) => AutocannonRequest; reference?: (info: BenchServerInfo) => AutocannonRequest };

const introspect = (path: string, tokens: (info: BenchServerInfo) => string[]) => (info: BenchServerInfo): AutocannonRequest => {
  const next = cycle(tokens(info));
  return {
    method: 'POST', path, headers: { 'content-type': FORM, authorization: basicAuth(RESOURCE_SERVER.id, RESOURCE_SERVER.secret) },
    setupRequest: (request) => ({ ...request, body: form({ token: next() }) }),
  };
};

const clientCredentials = (info: BenchServerInfo): AutocannonRequest => {
  void info;
  return {
    method: 'POST', path: '/token', headers: { 'content-type': FORM, authorization: basicAuth(AGENT.id, AGENT.secret) },
    body: form({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }),
  };
};

/** Every refresh token is used once: responses put their successor back in a shared pool. */
const refresh = (info: BenchServerInfo): AutocannonRequest => {
  const pool = [...info.refreshTokens];
  return {
    method: 'POST', path: '/token', headers: { 'content-type': FORM },
    setupRequest: (request) => ({ ...request, body: form({ grant_type: 'refresh_token', refresh_token: pool.shift() ?? 'exhausted', client_id: PUBLIC_CLIENT, resource: RESOURCE }) }),
    onResponse: (status, body) => {
      if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  };
};

const SCENARIOS: Scenario[] = [
  { name: 'introspection (service token)', target: 2, gatehouse: introspect('/introspect', (i) => i.serviceTokens), reference: introspect('/token/introspection', (i) => i.serviceTokens) },
  { name: 'introspection (user token, org roles)', target: undefined, gatehouse: introspect('/introspect', (i) => i.userTokens) },
  { name: 'issuance: client_credentials', target: 1.5, gatehouse: clientCredentials, reference: clientCredentials },
  { name: 'issuance: refresh_token (rotating)', target: 1.5, gatehouse: refresh, reference: refresh },
];

async function measure(info: BenchServerInfo, request: AutocannonRequest): Promise<LoadResult> {
  await runLoad({ url: info.url, seconds: 1, connections: CONNECTIONS, request });
  return runLoad({ url: info.url, seconds: SECONDS, connections: CONNECTIONS, request });
}

const gatehouse = await startChild<BenchServerInfo>(join(here, 'lib/as-gatehouse-server.ts'));
const reference = await startChild<BenchServerInfo>(join(here, 'lib/as-oidc-provider-server.ts'));
const rows: string[][] = [];
let issuedByGatehouse = 0;
let failures = 0;
let missed = 0;
try {
  for (const scenario of SCENARIOS) {
    const before = await gatehouse.ask<number>('token-count');
    // Warm-up requests issue tokens too; count acknowledgements from the measured run and the warm-up alike.
    const ours = await runAndCount(gatehouse.info, scenario.gatehouse(gatehouse.info));
    const after = await gatehouse.ask<number>('token-count');
    const perRequest = scenario.name.includes('refresh') ? 2 : scenario.name.includes('client_credentials') ? 1 : 0;
    if (after - before < ours.acknowledged * perRequest) missed += ours.acknowledged * perRequest - (after - before);
    issuedByGatehouse += ours.acknowledged * perRequest;
    const theirs = scenario.reference ? await measure(reference.info, scenario.reference(reference.info)) : undefined;
    failures += ours.result.failed;
    const ratio = theirs ? ours.result.rps / theirs.rps : undefined;
    rows.push([
      scenario.name,
      fmt(ours.result.rps), fmt(ours.result.p99, 1),
      theirs ? fmt(theirs.rps) : '-', theirs ? fmt(theirs.p99, 1) : '-',
      ratio === undefined ? '-' : `${ratio.toFixed(2)}×${scenario.target ? (ratio >= scenario.target ? ` (≥${scenario.target}× ok)` : ` (target ${scenario.target}×: MISSED)`) : ''}`,
    ]);
  }
} finally {
  await Promise.all([gatehouse.stop(), reference.stop()]);
}

async function runAndCount(info: BenchServerInfo, request: AutocannonRequest) {
  const warm = await runLoad({ url: info.url, seconds: 1, connections: CONNECTIONS, request });
  const result = await runLoad({ url: info.url, seconds: SECONDS, connections: CONNECTIONS, request });
  return { result, acknowledged: warm.ok + result.ok };
}

function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const header = ['scenario', 'Gatehouse req/s', 'p99 ms', 'oidc-provider req/s', 'p99 ms', 'ratio'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ');
console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per run after a 1 s warm-up; Gatehouse on SQLite (file, WAL), oidc-provider in memory`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of rows) console.log(line(row));
console.log(`\nGatehouse tokens acknowledged: ${issuedByGatehouse}; not found in the store afterwards: ${missed}; failed Gatehouse requests: ${failures}`);
if (missed > 0 || failures > 0) process.exitCode = 1;
