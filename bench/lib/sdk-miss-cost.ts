/**
 * Diagnostic, not a headline bench (`npx tsx bench/lib/sdk-miss-cost.ts` with
 * NODE_OPTIONS=--conditions=@gatehouse-auth/source): what one verification-
 * cache miss costs the SDK's process, against a real Gatehouse child (seeded
 * as bench sdk seeds it), without a load generator. Each round asks about
 * fresh tokens (every one a miss) and then the same tokens again (every one a
 * hit), 16 at a time, and prints the SDK process's CPU µs per miss and per
 * hit (system time and GC pause time shown apart), Gatehouse's CPU per
 * introspection, and the TCP connections the SDK opened (0 once warm: the
 * keep-alive agent reuses them).
 *
 * PROBE_MODE=verifier (default): IntrospectionVerifier.verify alone.
 * PROBE_MODE=mcp: a whole tools/call through protectMcpServer's fetch (no
 * HTTP server in front), so costs a miss adds around the verifier show.
 * PROBE_TOKENS (default 6000, split over 3 rounds), PROBE_CONCURRENCY (16).
 * PROBE_PROFILE=DIR: a CPU profile of each round's misses and of its hits
 * apart (DIR/miss-N.cpuprofile, DIR/hit-N.cpuprofile), to tell what a miss
 * adds to a hit.
 */
import { spawnSync } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { GatedMcpServer, IntrospectionVerifier, protectMcpServer, requireScopes } from '@gatehouse-auth/mcp';
import { createStore } from '@gatehouse-auth/store';
import { startChild } from './child.ts';
import { writeBenchConfig } from './as-gatehouse-config.ts';
import { RESOURCE, RESOURCE_SERVER } from './as-shared.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TOKENS = Number(process.env.PROBE_TOKENS ?? 6000);
const CONCURRENCY = Number(process.env.PROBE_CONCURRENCY ?? 16);
const ISSUER = 'http://127.0.0.1:4000'; // the bench config's issuer
const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: { status: 'open' } } });

let socketsOpened = 0;
diagnostics.subscribe('net.client.socket', () => void socketsOpened++);
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-miss-'));
const databaseUrl = `sqlite:${join(dir, 'gatehouse.db')}`;
const configPath = writeBenchConfig(dir);
const seeding = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'as-gatehouse-seed.ts'), dir, databaseUrl, configPath], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_ACCESS_TOKENS: String(2 * TOKENS), BENCH_REFRESH_TOKENS: '0' },
});
if (seeding.status !== 0) throw new Error('sdk-miss-cost: seeding failed');
const seeded = await createStore(databaseUrl);
const orgId = (await seeded.orgs.getBySlug('acme'))?.id ?? '';
await seeded.close();
const gatehouse = await startChild<{ url: string }>(join(here, 'as-gatehouse-server.ts'), [dir, databaseUrl, configPath]);
const tokens = await gatehouse.ask<string[]>('all:access');
const introspection = {
  clientId: RESOURCE_SERVER.id,
  clientSecret: RESOURCE_SERVER.secret,
  endpoint: `${gatehouse.info.url}/introspect`,
  revocationStream: `${gatehouse.info.url}/revocations/stream`,
};

let ask: (token: string) => Promise<boolean>;
let close: () => Promise<void>;
if (process.env.PROBE_MODE === 'mcp') {
  const server = new GatedMcpServer({ name: 'probe', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'List tickets', inputSchema: { status: z.string().optional() }, requires: requireScopes('tickets:read') }, async () => ({
    content: [{ type: 'text' as const, text: '[]' }],
  }));
  const mcp = protectMcpServer({ server, issuer: ISSUER, resource: RESOURCE, scopesSupported: ['tickets:read'], organizations: [orgId], introspection });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  ask = async (token) => {
    const response = await mcp.fetch(new Request(RESOURCE, { method: 'POST', body: BODY, headers: { ...headers, authorization: `Bearer ${token}` } }));
    await response.text();
    return response.status === 200;
  };
  close = () => mcp.close();
} else {
  const verifier = new IntrospectionVerifier({ issuer: ISSUER, resource: RESOURCE, ...introspection });
  ask = async (token) => (await verifier.verify(token)).ok;
  close = () => verifier.close();
}
await new Promise((resolve) => setTimeout(resolve, 300)); // the revocation stream connects

async function drive(list: string[]): Promise<{ cpu: number; system: number; gc: number; gatehouse: number; sockets: number; refused: number }> {
  const [sockets0, gc0, gatehouse0, cpu0] = [socketsOpened, gcMs, await gatehouse.ask<number>('cpu'), process.cpuUsage()];
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < list.length) if (!(await ask(list[next++]!))) refused++;
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const gatehouseCpu = (await gatehouse.ask<number>('cpu')) - gatehouse0;
  const per = (value: number) => value / list.length;
  return { cpu: per(cpu.user + cpu.system), system: per(cpu.system), gc: per((gcMs - gc0) * 1000), gatehouse: per(gatehouseCpu), sockets: socketsOpened - sockets0, refused };
}

// JIT warm-up of the miss path, then of the hit path, on tokens of their own.
const warmup = tokens.slice(TOKENS, TOKENS + TOKENS / 2);
await drive(warmup);
await drive(warmup);
const f = (value: number) => value.toFixed(0).padStart(4);
const profileDir = process.env.PROBE_PROFILE;
const inspector = profileDir ? new Session() : undefined;
inspector?.connect();
await inspector?.post('Profiler.enable');
/** Drives `list`, under the CPU profiler when PROBE_PROFILE names a directory. */
async function profiled(name: string, list: string[]): ReturnType<typeof drive> {
  if (!inspector) return drive(list);
  await inspector.post('Profiler.start');
  const result = await drive(list);
  const { profile } = await inspector.post('Profiler.stop');
  writeFileSync(join(profileDir!, `${name}.cpuprofile`), JSON.stringify(profile));
  return result;
}
for (let round = 0; round < 3; round += 1) {
  const slice = tokens.slice((round * TOKENS) / 3, ((round + 1) * TOKENS) / 3);
  const miss = await profiled(`miss-${round}`, slice);
  const hit = await profiled(`hit-${round}`, slice);
  console.log(
    `round ${round}: ${slice.length} misses: SDK ${f(miss.cpu)} µs CPU/miss (system ${f(miss.system)}, GC pauses ${f(miss.gc)} µs), Gatehouse ${f(miss.gatehouse)} µs CPU/introspection, connections opened ${miss.sockets}, refused ${miss.refused}; hits: SDK ${f(hit.cpu)} µs CPU/hit`,
  );
}
await close();
await gatehouse.stop();
rmSync(dir, { recursive: true, force: true });
