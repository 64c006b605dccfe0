/**
 * `npm run bench as`: the authorization server users run against
 * node-oidc-provider 9, measured in one run on the same machine.
 *
 * Gatehouse is started by `serveGatehouse`, the function `gatehouse serve`
 * calls (bench/lib/as-gatehouse-server.ts): the example config plus a
 * service agent, a SQLite file by default (BENCH_STORE=postgres://… for
 * PostgreSQL), the audit log on. Its store is seeded by another process
 * first, so the measured process has none of the tokens in memory. The
 * reference keeps everything in memory. Each scenario alternates the two
 * servers for BENCH_ROUNDS runs; the headline is the median run (best-of
 * is printed too), with each server's own CPU time per request, and the
 * cache hit rates Gatehouse saw. After the runs: every acknowledged token
 * must be in the store, and every token Gatehouse issued must have its
 * record in an audit chain that verifies.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AutocannonRequest } from 'autocannon';
import type { CacheStats } from '@gatehouse-auth/authorization-server';
import { startChild, type ServerChild } from './lib/child.ts';
import { AGENT, PUBLIC_CLIENT, RESOURCE, RESOURCE_SERVER, SCOPE, WARM_TOKENS, type BenchServerInfo } from './lib/as-shared.ts';
import { writeBenchConfig } from './lib/as-gatehouse-config.ts';
import { basicAuth, form, runLoad, type LoadResult } from './lib/load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const here = dirname(fileURLToPath(import.meta.url));
const FORM = 'application/x-www-form-urlencoded';

type Server = ServerChild<BenchServerInfo>;
/** A scenario's traffic for one server, and a count of 2xx answers that did not say what they should. */
interface Probe {
  request: AutocannonRequest;
  wrong: { count: number };
}
interface Scenario {
  name: string;
  /** What the scenario exercises, printed under the table. */
  about: string;
  target?: number;
  /** Tokens each acknowledged response persisted (the persistence check): an access token, and a refresh token's successor. */
  tokensPerRequest: number;
  /** Which Gatehouse cache this scenario's hit rate is about. */
  cache?: keyof CacheStats;
  /** Also measure the floor (lib/as-floor-server.ts) in each round: the platform's share of this scenario. */
  floor?: boolean;
  probe: (server: Server) => Promise<Probe>;
}

// --- traffic ------------------------------------------------------------------------------------------

/** Each server's population of live access tokens, fetched once. */
const populations = new Map<Server, string[]>();
const population = async (server: Server) => {
  if (!populations.has(server)) populations.set(server, await server.ask<string[]>('all:access'));
  return populations.get(server)!;
};

/** Introspection must answer active: an inactive answer is fast and would flatter whoever gives it. */
const introspect =
  (pick: (tokens: string[]) => () => string) =>
  async (server: Server): Promise<Probe> => {
    const next = pick(await population(server));
    const wrong = { count: 0 };
    return {
      wrong,
      request: {
        method: 'POST',
        path: server === reference ? '/token/introspection' : '/introspect',
        headers: { 'content-type': FORM, authorization: basicAuth(RESOURCE_SERVER.id, RESOURCE_SERVER.secret) },
        setupRequest: (request) => ({ ...request, body: form({ token: next() }) }),
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"active":true')) wrong.count += 1;
        },
      },
    };
  };
/** Uniform random picks over the whole population: a token comes back within the cache's 2 s only by chance. */
const randomOver = (tokens: string[]) => () => tokens[Math.floor(Math.random() * tokens.length)]!;
/** The first WARM_TOKENS tokens, round robin: every request after the first pass is a cache hit. */
const cycleOver = (tokens: string[]) => {
  let i = 0;
  return () => tokens[i++ % WARM_TOKENS]!;
};

const clientCredentials = async (): Promise<Probe> => {
  const wrong = { count: 0 };
  return {
    wrong,
    request: {
      method: 'POST',
      path: '/token',
      headers: { 'content-type': FORM, authorization: basicAuth(AGENT.id, AGENT.secret) },
      body: form({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }),
      onResponse: (status, body) => {
        if (status === 200 && !body.includes('"access_token"')) wrong.count += 1;
      },
    },
  };
};

/** Each server's seeded refresh tokens not used yet (each is used once). */
const refreshPools = new Map<Server, string[]>();
/** Requests sent with no seeded refresh token left: the run measured an empty pool, not the server (exit 1). */
const refreshPoolRanDry = new Map<Server, number>();
/**
 * Refresh with tokens minted before the server started. `recycle`: each
 * response's successor goes back on a stack (last in, first out) and is
 * used milliseconds later by the process that issued it; otherwise every
 * request presents a seeded token the process has never seen.
 */
const refresh =
  (recycle: boolean) =>
  async (server: Server): Promise<Probe> => {
    if (!refreshPools.has(server)) refreshPools.set(server, (await server.ask<string[]>('take:refresh:1000000')).reverse());
    const pool = refreshPools.get(server)!;
    const stack = recycle ? pool.splice(-CONNECTIONS * 3) : pool;
    const wrong = { count: 0 };
    return {
      wrong,
      request: {
        method: 'POST',
        path: '/token',
        headers: { 'content-type': FORM },
        setupRequest: (request) => {
          const token = stack.pop();
          if (token === undefined) refreshPoolRanDry.set(server, (refreshPoolRanDry.get(server) ?? 0) + 1);
          return { ...request, body: form({ grant_type: 'refresh_token', refresh_token: token ?? 'exhausted', client_id: PUBLIC_CLIENT, resource: RESOURCE }) };
        },
        onResponse: (status, body) => {
          if (status !== 200) return;
          const next = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
          if (!next) wrong.count += 1;
          else if (recycle) stack.push(next);
        },
      },
    };
  };

const SCENARIOS: Scenario[] = [
  {
    name: 'introspection, cold (100k tokens, random)',
    target: 2,
    tokensPerRequest: 0,
    cache: 'introspection',
    floor: true,
    probe: introspect(randomOver),
    about: 'a resource server asking about tokens issued earlier by other processes, uniformly at random over the live population: nearly every answer is a store read',
  },
  {
    name: 'introspection, warm (200 tokens, cycled)',
    tokensPerRequest: 0,
    cache: 'introspection',
    probe: introspect(cycleOver),
    about: 'the same 200 tokens over and over: answered from the 2 s in-process cache (the figure older docs reported)',
  },
  {
    name: 'refresh, cold (issued days ago)',
    target: 1.5,
    tokensPerRequest: 2,
    cache: 'issuedRefresh',
    probe: refresh(false),
    about: 'each request rotates a refresh token issued before this process started (read the row, rotate under lock, insert the pair, audit record)',
  },
  {
    name: 'refresh, warm (successor reused at once)',
    tokensPerRequest: 2,
    cache: 'issuedRefresh',
    probe: refresh(true),
    about: "each response's successor is presented again milliseconds later to the process that issued it: the issued-refresh cache skips the read",
  },
  {
    name: 'client_credentials',
    target: 1.5,
    tokensPerRequest: 1,
    cache: 'clientAuthentication',
    floor: true,
    probe: clientCredentials,
    about: 'a service agent asking for a token (client authentication from the 5 s credentials cache, insert, audit record)',
  },
];

// --- measurement --------------------------------------------------------------------------------------

interface Measured {
  result: LoadResult;
  cpuPerRequest: number;
  /** 2xx responses in the warm-up and measured runs (each one acknowledged tokens). */
  acknowledged: number;
  cache?: { hits: number; misses: number };
}

/**
 * Warm-up, then the measured run. CPU time is the server process's own, so
 * it holds up when the machine is busy. Wrong 2xx answers count as failures.
 */
async function measure(server: Server, scenario: Scenario): Promise<Measured> {
  await settle();
  const warm = await runLoad({ url: server.info.url, seconds: 1, connections: CONNECTIONS, request: (await scenario.probe(server)).request });
  const { request, wrong } = await scenario.probe(server);
  const statsBefore = server === gatehouse ? await server.ask<CacheStats>('cache-stats') : undefined;
  const threadsBefore = process.env.BENCH_VERBOSE ? await server.ask<Record<string, { user: number; system: number }>>('threads') : {};
  await server.ask('profile-start');
  const cpuBefore = await server.ask<number>('cpu');
  const run = await runLoad({ url: server.info.url, seconds: SECONDS, connections: CONNECTIONS, request });
  const cpuAfter = await server.ask<number>('cpu');
  const profile = await server.ask<string | undefined>('profile-stop');
  if (profile) console.log(`    CPU profile of ${nameOf(server)} (${scenario.name}): ${profile}`);
  if (process.env.BENCH_VERBOSE) {
    const threadsAfter = await server.ask<Record<string, { user: number; system: number }>>('threads');
    const parts = Object.entries(threadsAfter)
      .map(([name, t]) => [name, t.user - (threadsBefore[name]?.user ?? 0), t.system - (threadsBefore[name]?.system ?? 0)] as const)
      .filter(([, u, s]) => u + s > 0);
    console.log(`    threads (user/system ms): ${parts.map(([name, u, s]) => `${name} ${u}/${s}`).join(', ')}`);
  }
  const statsAfter = server === gatehouse ? await server.ask<CacheStats>('cache-stats') : undefined;
  const bad = wrong.count;
  const result = { ...run, ok: run.ok - bad, failed: run.failed + bad, rps: run.ok > 0 ? (run.rps * (run.ok - bad)) / run.ok : 0 };
  const cpuPerRequest = (cpuAfter - cpuBefore) / Math.max(1, run.ok + run.failed);
  const cache =
    scenario.cache && statsBefore && statsAfter
      ? { hits: statsAfter[scenario.cache].hits - statsBefore[scenario.cache].hits, misses: statsAfter[scenario.cache].misses - statsBefore[scenario.cache].misses }
      : undefined;
  if (process.env.BENCH_VERBOSE)
    console.log(
      `  ${scenario.name}: ${nameOf(server)} ${fmt(result.rps)} req/s, ${fmt(cpuPerRequest)} CPU µs/req${cache ? `, ${scenario.cache} hits ${fmt(percent(cache))} %` : ''}${result.failed ? `, ${result.failed} failed` : ''}`,
    );
  return { result, cpuPerRequest, acknowledged: warm.ok + result.ok, ...(cache ? { cache } : {}) };
}

/**
 * Waits until neither server is still busy with the previous run (a WAL
 * checkpoint, a garbage collection, a writer thread's last batches): on two
 * cores, their leftover work would be charged to whoever runs next.
 * Quiet means under 2% of a core over 250 ms, twice in a row; at most 10 s.
 */
async function settle(): Promise<void> {
  const servers = [gatehouse, reference, floor];
  let quiet = 0;
  for (let tries = 0; tries < 40 && quiet < 2; tries += 1) {
    const before = await Promise.all(servers.map((s) => s.ask<number>('cpu')));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const after = await Promise.all(servers.map((s) => s.ask<number>('cpu')));
    quiet = after.every((cpu, i) => cpu - before[i]! < 5_000) ? quiet + 1 : 0;
  }
}

const nameOf = (server: Server) => (server === gatehouse ? 'gatehouse' : server === reference ? 'reference' : 'floor');
const byRps = (runs: Measured[]) => [...runs].sort((a, b) => a.result.rps - b.result.rps);
const median = (runs: Measured[]): Measured => byRps(runs)[Math.floor((runs.length - 1) / 2)]!;
const best = (runs: Measured[]): Measured => byRps(runs).at(-1)!;
const percent = (c: { hits: number; misses: number }) => (100 * c.hits) / Math.max(1, c.hits + c.misses);
function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// --- the run ------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-as-'));
const pgSchema = `bench_as_${process.pid}`;
const databaseUrl = !process.env.BENCH_STORE
  ? `sqlite:${join(dir, 'gatehouse.db')}`
  : /^postgres/.test(process.env.BENCH_STORE) && !process.env.BENCH_STORE.includes('schema=')
    ? `${process.env.BENCH_STORE}${process.env.BENCH_STORE.includes('?') ? '&' : '?'}schema=${pgSchema}`
    : process.env.BENCH_STORE;
const engine = databaseUrl.startsWith('sqlite:') ? 'SQLite file (WAL; token and audit commits acknowledged after a WAL fsync)' : 'PostgreSQL';
const configPath = writeBenchConfig(dir);

const setupStarted = Date.now();
const seeding = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'lib/as-gatehouse-seed.ts'), dir, databaseUrl, configPath], { stdio: 'inherit' });
if (seeding.status !== 0) throw new Error('bench as: seeding the store failed');
const [gatehouse, reference, floor] = await Promise.all([
  startChild<BenchServerInfo>(join(here, 'lib/as-gatehouse-server.ts'), [dir, databaseUrl, configPath]),
  startChild<BenchServerInfo>(join(here, 'lib/as-oidc-provider-server.ts')),
  startChild<BenchServerInfo>(join(here, 'lib/as-floor-server.ts'), [dir, databaseUrl]),
]);
if (process.env.BENCH_VERBOSE) console.log(`  setup (seeding both servers' populations): ${((Date.now() - setupStarted) / 1000).toFixed(0)} s`);

const rows: string[][] = [];
const notes: string[] = [];
let acknowledgedTokens = 0;
let missed = 0;
let failures = 0;
const floorNotes: string[] = [];
let audit: { issued: number; recorded: number; records: number; broken: string[] } | undefined;
try {
  // JIT warm-up of the servers' shared paths, and the token writer threads started, before anything is measured.
  for (const server of [gatehouse, reference, floor]) await runLoad({ url: server.info.url, seconds: 2, connections: CONNECTIONS, request: (await clientCredentials()).request });
  // BENCH_ONLY: substrings of scenario names, `|` between alternatives (names contain commas).
  const only = process.env.BENCH_ONLY?.split('|');
  for (const scenario of SCENARIOS.filter((s) => !only || only.some((part) => s.name.includes(part)))) {
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    const floors: Measured[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      if (scenario.floor) floors.push(await measure(floor, scenario));
      // Alternate which server goes first, so neither always runs on the other's leftovers.
      for (const server of round % 2 === 0 ? [gatehouse, reference] : [reference, gatehouse]) {
        if (server === reference) {
          theirs.push(await measure(reference, scenario));
          continue;
        }
        const before = await gatehouse.ask<number>('token-count');
        const run = await measure(gatehouse, scenario);
        const after = await gatehouse.ask<number>('token-count');
        // Every acknowledged token must be in the store (in-flight ones at the end may add a few more).
        const perRequest = scenario.tokensPerRequest;
        missed += Math.max(0, run.acknowledged * perRequest - (after - before));
        acknowledgedTokens += run.acknowledged * perRequest;
        failures += run.result.failed;
        ours.push(run);
      }
    }
    const g = median(ours);
    const r = median(theirs);
    const ratio = r.result.rps > 0 ? g.result.rps / r.result.rps : 0;
    const bestRatio = best(theirs).result.rps > 0 ? best(ours).result.rps / best(theirs).result.rps : 0;
    const hits = ours.reduce((sum, run) => ({ hits: sum.hits + (run.cache?.hits ?? 0), misses: sum.misses + (run.cache?.misses ?? 0) }), { hits: 0, misses: 0 });
    rows.push([
      scenario.name,
      fmt(g.result.rps),
      fmt(g.result.p99),
      fmt(g.cpuPerRequest),
      fmt(g.result.failed),
      scenario.cache ? `${fmt(percent(hits), 1)} % ${scenario.cache}` : '-',
      fmt(r.result.rps),
      fmt(r.result.p99),
      fmt(r.cpuPerRequest),
      fmt(r.result.failed),
      `${ratio.toFixed(2)}×${scenario.target ? (ratio >= scenario.target ? ` (≥${scenario.target}× met)` : ` (target ${scenario.target}×: MISSED)`) : ''}`,
      `${bestRatio.toFixed(2)}×`,
    ]);
    notes.push(`${scenario.name}: ${scenario.about}.`);
    if (floors.length > 0) {
      const f = median(floors);
      const times = (cpu: number) => `${(cpu / f.cpuPerRequest).toFixed(1)}×`;
      floorNotes.push(
        `${scenario.name}: the floor (Node's HTTP server with only the store and audit work the request cannot skip: lib/as-floor-server.ts) ${fmt(f.result.rps)} req/s, ${fmt(f.cpuPerRequest)} CPU µs/req; Gatehouse uses ${times(g.cpuPerRequest)} the floor's CPU per request, oidc-provider ${times(r.cpuPerRequest)}.`,
      );
    }
  }
  audit = await gatehouse.ask('audit-check');
} finally {
  await Promise.all([gatehouse.stop(), reference.stop(), floor.stop()]);
  rmSync(dir, { recursive: true, force: true });
  if (databaseUrl.includes(`schema=${pgSchema}`)) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: process.env.BENCH_STORE });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
    await client.end();
  }
}

const header = ['scenario', 'Gatehouse req/s', 'p99 ms', 'CPU µs/req', 'failed', 'cache hits', 'oidc-provider req/s', 'p99 ms', 'CPU µs/req', 'failed', 'ratio (median)', 'ratio (best)'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => '| ' + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ') + ' |';
console.log(`\nGatehouse as \`gatehouse serve\` runs it (${engine}, audit log on) vs node-oidc-provider 9 (in memory), ${CONNECTIONS} connections,`);
console.log(`${ROUNDS} alternating ${SECONDS} s runs per server and scenario, each after a 1 s warm-up; figures are the median run's (ratio (best): best against best).`);
console.log("CPU µs/req: the server process's own CPU time per request. Cache hits: Gatehouse's in-process cache for that path, over its measured runs.\n");
console.log(line(header));
console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|') + '|');
for (const row of rows) console.log(line(row));
console.log('');
for (const note of notes) console.log(`- ${note}`);
for (const note of floorNotes) console.log(`\nExtra row, not a server anyone runs: ${note}`);
console.log(`\nGatehouse tokens acknowledged: ${fmt(acknowledgedTokens)}; not found in the store afterwards: ${missed}; failed Gatehouse requests: ${failures}`);
if (audit)
  console.log(
    `Audit: ${fmt(audit.issued)} access tokens issued by the measured process, ${fmt(audit.recorded)} token.issued/token.refreshed records; ${fmt(audit.records)} records verified, chains failing verification: ${audit.broken.length === 0 ? 'none' : audit.broken.join(', ')}`,
  );
for (const [server, count] of refreshPoolRanDry)
  console.error(
    `${server === gatehouse ? 'Gatehouse' : 'oidc-provider'}: ${fmt(count)} refresh requests found no seeded refresh token left (their failures are the bench's, not the server's): raise BENCH_REFRESH_TOKENS`,
  );
if (refreshPoolRanDry.size > 0 || missed > 0 || failures > 0 || !audit || audit.recorded < audit.issued || audit.broken.length > 0) process.exitCode = 1;
