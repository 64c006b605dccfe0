/**
 * `npm run bench gateway`: tools/call through the gateway against the same
 * HTTP upstream called directly, in one run.
 *
 * - Upstream: @modelcontextprotocol/server-everything over Streamable HTTP
 *   (its own process, unmodified), tool `echo`, answers as SSE.
 * - Gateway: `gatehouse gateway --config gateway.yaml` in its own process,
 *   as an operator runs it (decisions logged at the default level), with
 *   real introspection against a real Gatehouse (in this process) and its
 *   revocation stream connected. One service-agent token: after the first
 *   request the gateway's verification cache answers (printed below).
 * - Direct: the same requests to the upstream, with the session it gave.
 * - The floor: a bare node:http proxy in the gateway's place
 *   (lib/bare-proxy.mjs), measured at the headline rate: what one more hop
 *   costs on this machine, whoever makes it.
 *
 * Two measurements, each in rounds, medians:
 *
 * 1. Throughput at saturation (closed loop: BENCH_CONNECTIONS connections,
 *    one request in flight each). Headline: the median of the per-round
 *    ratios, target ≥ 0.8×. The load generator is `wrk` (C, one thread, its
 *    own process) when it is installed (`apt-get install wrk`), else
 *    autocannon with a warning: autocannon runs in this process, which
 *    also hosts Gatehouse, and on a two-core machine every CPU millisecond
 *    it spends per request is taken from the gateway and the upstream,
 *    which pulls the ratio down. BENCH_LOAD=autocannon forces it.
 *    The p99 at saturation is printed too, but it is no latency figure:
 *    with a request always waiting it is about connections / throughput,
 *    the throughput again.
 * 2. Latency at fixed offered rates (open loop, lib/fixed-rate.ts): in
 *    each round the direct and the gateway calls take turns in one
 *    schedule (direct, gateway, direct, …), half the offered rate each,
 *    requests sent on schedule whatever the answers do and timed from when
 *    they were due. Rates: 100, 200 and 400 req/s (BENCH_RATES), 25% and
 *    50% of the direct side's median saturation throughput, offered in
 *    total; each round lasts long enough for BENCH_MIN_SAMPLES (1000)
 *    requests per side, so a p99 is never one or two stragglers. Every
 *    rate's p50 and p99, direct, gateway and added (gateway − direct, median
 *    of the per-round differences), is printed.
 *    Why turns, not alternating rounds (the design until round 7 of
 *    docs/gateway.md): server-everything pauses every few seconds (its
 *    collections; with both its GC helper threads on the two cores, every
 *    process waits), and a pause of 20–50 ms makes a dozen calls over 10
 *    ms, enough to set a round's p99. With each side in rounds of its own,
 *    which side's p99 a pause set was chance: the same main gave an added
 *    p99 of 18.33 ms in one run and −6.53 ms in the next. In one schedule
 *    both sides live through the same pauses, and their difference is what
 *    the gateway adds. The upstream gets the offered rate, as in the
 *    alternating design; the gateway, half of it; the 50% row is each side
 *    at the headline rate. The alternating design is still run at the
 *    headline rate and printed as a row of its own.
 *    The headline, by rule and whatever it shows: the added p99 at 25% of
 *    the direct saturation throughput, target ≤ 2 ms. Why 25%: added
 *    latency is what the gateway's own work adds to a call on a machine
 *    that is not short of CPU. Here the gateway, the upstream and the load
 *    generator share two cores; the gateway side needs about twice the CPU
 *    per call of the direct side (gateway + upstream), so at 50% of the
 *    direct saturation the cores run close to saturation and the p99 is
 *    mostly the three processes queueing for them, a cost of co-locating
 *    them for the bench, not of the gateway in front of an upstream on its
 *    own cores. 50% (and the fixed rates) stay in the table to show where
 *    the queueing starts.
 *    The generator runs in a process of its own (not beside Gatehouse in
 *    this one), sends prebuilt requests over raw keep-alive sockets
 *    (lib/raw-http.ts: a fraction of node:http's CPU per request), and
 *    reports its own event-loop delay (generator lag p99): a lag near the
 *    latencies means the figures show the machine, not the servers.
 *
 * Sessions: each round, on each side, runs in a session of its own, opened
 * before it and ended (DELETE) after it. server-everything keeps every
 * event of a session for resumption until the session ends (its
 * InMemoryEventStore): with one session per side for the whole run its live
 * heap grew about 1.3 KB per call (12.8 → 34.4 MB after Mark-Compact over
 * some 16,000 calls, --trace-gc) and its collections with it, pauses that
 * stalled whichever side was running and grew as the run went on (the
 * higher rates run last).
 *
 * Every fixed-rate round prints its stalls (requests over 10 ms: a p99 moves
 * with how many of them a round caught), the connections the generator had
 * to open (one per request that found every connection busy), and for a
 * gateway round the introspections in it (an expired verification-cache
 * entry makes the calls in flight wait for one).
 *
 * Also printed: the verification cache hit rate, the decision records the
 * gateway logged, and CPU ms per call of the upstream and gateway processes
 * (from /proc, over both measurements; the steadiest figure on a busy
 * machine) and of the fixed-rate generator. Any failed request makes the
 * run exit 1.
 *
 * BENCH_SECONDS, BENCH_ROUNDS, BENCH_HEADLINE_ROUNDS (default 10), BENCH_CONNECTIONS, BENCH_RATES (comma-separated
 * req/s), BENCH_MIN_SAMPLES size the run;
 * BENCH_GATEWAY_LOG_LEVEL (e.g. warn: no decision lines) and
 * BENCH_GATEWAY_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) are
 * passed to the gateway process, BENCH_UPSTREAM_NODE_ARGS to server-everything;
 * BENCH_GATEWAY_STDOUT names a file that gets the gateway's stdout (decision
 * lines, and what e.g. `--trace-gc-nvp` prints: each scavenge's pause, bytes
 * survived and promoted).
 * BENCH_PIN=1 (a diagnostic, Linux `taskset`) pins the gateway (and the floor) to CPU 1 and
 * server-everything and the fixed-rate generator to CPU 0: the upstream's
 * parallel collector then cannot take the gateway's core, nor the gateway
 * the upstream's, which separates what co-locating them costs from what the
 * gateway adds (a gateway in front of an upstream on other cores). This
 * process (Gatehouse, idle but for an introspection a minute) and wrk are
 * not pinned.
 * BENCH_TRACE_STALLS=1 loads lib/stall-tracer.mjs into both (collections,
 * event-loop lags, slow requests, with wall-clock times) and prints, per
 * rate and side, how many stalls overlapped a pause of the upstream, of the
 * gateway, of both or of neither (lib/stall-attribution.ts). The tracer's
 * 2 ms timer costs some CPU: a diagnostic run, not a headline.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentToken, type BenchGatehouse, CLI, freePort, GATEWAY_CLIENT, GATEWAY_SECRET_ENV, startBenchGatehouse, startEverything, waitFor, writeGatewayConfig } from './lib/gateway-setup.ts';
import { fmt, fmtRate, median, printRow, sum } from './lib/gateway-report.ts';
import type { LoadResult } from './lib/load.ts';
import { buildPackages } from './lib/installed-child.ts';
import { CALL, closeSession, MCP_HEADERS, openSession } from './lib/mcp-session.ts';
import { cpuMs, rssMb } from './lib/process-stats.ts';
import { attributeStalls, formatStallCauses, readTrace } from './lib/stall-attribution.ts';
import { openFixedRateGenerator, STALL_MS, type FixedRateGenerator, type FixedRateResult, type FixedRateTarget } from './lib/fixed-rate.ts';
import { loadGenerator, runVariedLoad } from './lib/wrk-load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
/**
 * Rounds at the headline rate (its turns, the floor's and the alternating row): more than elsewhere, because
 * a round's p99 moves with the upstream's pauses it caught, and the headline is the median of the rounds.
 */
const HEADLINE_ROUNDS = Number(process.env.BENCH_HEADLINE_ROUNDS ?? Math.max(ROUNDS, 10));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
/** Offered rates for the latency table besides the shares of the direct saturation throughput. */
const FIXED_RATES = (process.env.BENCH_RATES ?? '100,200,400').split(',').filter(Boolean).map(Number);
/** The headline's load point: this share of the direct side's saturation throughput (see the header). */
const HEADLINE_SHARE = 0.25;
/** A round at a low rate lasts long enough for this many requests: a p99 of fewer samples is a single outlier. */
const MIN_SAMPLES = Number(process.env.BENCH_MIN_SAMPLES ?? 1000);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
/** BENCH_TRACE_STALLS=1: both servers run lib/stall-tracer.mjs, and each rate's stalls are put down to the process paused at the time. */
const TRACE_STALLS = Boolean(process.env.BENCH_TRACE_STALLS);
const TRACER = join(here, 'lib/stall-tracer.mjs');
const BARE_PROXY = join(here, 'lib/bare-proxy.mjs');
const PIN = Boolean(process.env.BENCH_PIN);
/** A node command, on `cpu` alone with BENCH_PIN (see the header): every thread of it, its GC helpers included. */
const nodeCommand = (cpu: number, args: string[]): [string, string[]] => (PIN ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]);

/** Node flags from an environment variable, plus the stall tracer when BENCH_TRACE_STALLS is set. */
const nodeArgs = (variable: string) => [...(process.env[variable] ? process.env[variable].split(' ') : []), ...(TRACE_STALLS ? ['--import', TRACER] : [])];

async function main(): Promise<void> {
  buildPackages('gateway');
  console.log(`gatehouse gateway: ${CLI.slice(root.length + 1)} (built, plain node)`);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-gateway-'));
  // Written by lib/stall-tracer.mjs when BENCH_TRACE_STALLS is set (an empty name turns the tracer off).
  const traces = TRACE_STALLS ? { upstream: join(dir, 'upstream-trace.jsonl'), gateway: join(dir, 'gateway-trace.jsonl') } : { upstream: '', gateway: '' };
  const children: ChildProcess[] = [];
  const [upstreamPort, gatewayPort, floorPort] = [await freePort(), await freePort(), await freePort()];
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/mcp`;
  const floorUrl = `http://127.0.0.1:${floorPort}/mcp`;
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const resource = `${gatewayOrigin}/everything/mcp`;
  let gatehouse: BenchGatehouse | undefined;
  let generator: FixedRateGenerator | undefined;
  try {
    const upstream = await startEverything(upstreamPort, nodeCommand(0, nodeArgs('BENCH_UPSTREAM_NODE_ARGS')), { GATEHOUSE_STALL_TRACE: traces.upstream });
    children.push(upstream);

    gatehouse = await startBenchGatehouse(resource);
    const config = join(dir, 'gateway.yaml');
    await writeGatewayConfig(config, gatehouse, { gatewayOrigin, gatewayPort, upstreamUrl });
    const gateway = spawn(
      ...nodeCommand(1, [
        ...nodeArgs('BENCH_GATEWAY_NODE_ARGS'),
        CLI,
        'gateway',
        '--config',
        config,
        ...(process.env.BENCH_GATEWAY_LOG_LEVEL ? ['--log-level', process.env.BENCH_GATEWAY_LOG_LEVEL] : []),
      ]),
      {
        env: { ...process.env, NODE_OPTIONS: '', [GATEWAY_SECRET_ENV]: GATEWAY_CLIENT.secret, GATEHOUSE_STALL_TRACE: traces.gateway },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let decisionLines = 0;
    // BENCH_GATEWAY_STDOUT: everything the gateway writes to stdout, e.g. what --trace-gc-nvp prints (Round 6 of docs/gateway.md).
    const gatewayStdout = process.env.BENCH_GATEWAY_STDOUT ? createWriteStream(process.env.BENCH_GATEWAY_STDOUT) : undefined;
    gateway.stdout!.on('data', (chunk: Buffer) => {
      decisionLines += chunk.toString().split('gateway decision').length - 1;
      gatewayStdout?.write(chunk);
    });
    children.push(gateway);
    await waitFor(`${gatewayOrigin}/.well-known/oauth-protected-resource/everything/mcp`, gateway, 'gatehouse gateway');
    // The floor: a bare node:http proxy on the gateway's CPU (with BENCH_PIN), plain node (lib/bare-proxy.mjs).
    const floorProxy = spawn(...nodeCommand(1, [BARE_PROXY, String(floorPort), upstreamUrl]), { env: { ...process.env, NODE_OPTIONS: '' }, stdio: 'ignore' });
    children.push(floorProxy);
    await waitFor(floorUrl, floorProxy, 'the floor proxy');

    const token = await agentToken(gatehouse, resource);
    const bearer = { authorization: `Bearer ${token}` };
    const sides = {
      direct: { url: upstreamUrl, headers: {} as Record<string, string> },
      gateway: { url: resource, headers: bearer },
      floor: { url: floorUrl, headers: {} as Record<string, string> },
    };
    /**
     * `measure` with a session of its own on that side, ended after it (see the header: the upstream
     * keeps every event of a session, so one session for the whole run grows its heap and its pauses).
     */
    const inSession = async <T>(side: keyof typeof sides, measure: (request: { method: string; headers: Record<string, string>; body: string }) => Promise<T>): Promise<T> => {
      const { url, headers } = sides[side];
      const session = await openSession(url, headers);
      try {
        return await measure({ method: 'POST', headers: { ...MCP_HEADERS, ...headers, 'mcp-session-id': session }, body: CALL });
      } finally {
        await closeSession(url, headers, session);
      }
    };
    /** One fixed-rate run of direct and `other` (the gateway) in one schedule, their calls taking turns, each side with a session of its own. */
    const paired = (run: (targets: FixedRateTarget[]) => Promise<FixedRateResult[]>, other: 'gateway' | 'floor' = 'gateway') =>
      inSession('direct', (direct) =>
        inSession(other, (through) =>
          run([
            { url: upstreamUrl, request: direct },
            { url: sides[other].url, request: through },
          ]),
        ),
      );
    // Both sides answer (openSession checks a call), and the token is verified once before counting introspections.
    await inSession('direct', async () => {});
    await inSession('gateway', async () => {});
    await inSession('floor', async () => {});
    const introspectionsBefore = await countIntrospections(gatehouse);

    const wrk = loadGenerator() === 'wrk';
    const saturate = ({ url, seconds, connections, request }: { url: string; seconds: number; connections: number; request: { headers: Record<string, string>; body: string } }) =>
      runVariedLoad({ url, seconds, connections, method: 'POST', headers: request.headers, body: request.body });
    if (wrk) console.log('load generator: wrk (C, 1 thread, its own process)');
    else
      console.warn(
        'load generator: autocannon, in this process (wrk not found, or BENCH_LOAD=autocannon). Its CPU per request competes with both servers on this machine, so the throughput ratio understates the gateway; `apt-get install wrk` for the fair figure.',
      );
    // Warm-up, not counted: the first requests pay for JIT compilation in both processes.
    await inSession('direct', (request) => saturate({ url: upstreamUrl, seconds: 1, connections: CONNECTIONS, request }));
    await inSession('gateway', (request) => saturate({ url: resource, seconds: 2, connections: CONNECTIONS, request }));
    generator = openFixedRateGenerator();
    // Forked by this process: pinned after the fact, all its threads (-a).
    if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '0', String(generator.pid)], { stdio: 'ignore' });
    const fixedRate = generator;
    await paired((targets) => fixedRate.run({ targets, rate: 100, seconds: 1 }));
    await paired((targets) => fixedRate.run({ targets, rate: 100, seconds: 1 }), 'floor');
    const cpuBefore = { upstream: cpuMs(upstream.pid!), gateway: cpuMs(gateway.pid!) };
    const rssBefore = { upstream: rssMb(upstream.pid!), gateway: rssMb(gateway.pid!) };

    console.log(`\n1. saturation: ${CONNECTIONS} connections, closed loop, ${ROUNDS} × ${SECONDS} s each side, alternating`);
    const direct: LoadResult[] = [];
    const through: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await inSession('direct', (request) => saturate({ url: upstreamUrl, seconds: SECONDS, connections: CONNECTIONS, request })));
      through.push(await inSession('gateway', (request) => saturate({ url: resource, seconds: SECONDS, connections: CONNECTIONS, request })));
      console.log(`round ${round + 1}: direct  ${fmt(direct[round]!)}`);
      console.log(`         gateway ${fmt(through[round]!)}`);
    }
    const directRps = median(direct.map((r) => r.rps));
    const gatewayRps = median(through.map((r) => r.rps));
    const headlineRate = Math.max(10, Math.round(directRps * HEADLINE_SHARE));
    const rates: { rate: number; label: string; headline?: boolean }[] = [
      ...FIXED_RATES.map((rate) => ({ rate, label: 'fixed' })),
      { rate: headlineRate, label: `${HEADLINE_SHARE * 100}% of direct saturation`, headline: true },
      { rate: Math.max(10, Math.round(directRps / 2)), label: '50% of direct saturation' },
    ]
      // A fixed rate that equals a share of saturation is one row (the share's).
      .filter((point, _, all) => point.label !== 'fixed' || !all.some((other) => other.label !== 'fixed' && other.rate === point.rate))
      .sort((a, b) => a.rate - b.rate);

    console.log(
      `\n2. fixed rates, open loop (generator in its own process), ${ROUNDS} rounds per rate (${HEADLINE_ROUNDS} at the headline); in each round direct and gateway calls take turns in one schedule (half the rate each), ≥ ${MIN_SAMPLES} calls per round and side`,
    );
    const atRates: { rate: number; label: string; headline?: boolean; direct: FixedRateResult[]; gateway: FixedRateResult[] }[] = [];
    for (const point of rates) {
      const seconds = Math.max(SECONDS, Math.ceil((2 * MIN_SAMPLES) / point.rate));
      const rounds = point.headline ? HEADLINE_ROUNDS : ROUNDS;
      console.log(`${point.rate} req/s (${point.label}${point.headline ? ', the headline' : ''}), ${rounds} × ${seconds} s`);
      const entry = { ...point, direct: [] as FixedRateResult[], gateway: [] as FixedRateResult[] };
      for (let round = 0; round < rounds; round++) {
        const before = await countIntrospections(gatehouse);
        const [directResult, gatewayResult] = await paired((targets) => fixedRate.run({ targets, rate: point.rate / 2, seconds }));
        entry.direct.push(directResult!);
        entry.gateway.push(gatewayResult!);
        // A verification cache entry that expired mid-round makes every call wait for one introspection.
        const introspected = (await countIntrospections(gatehouse)) - before;
        console.log(`round ${round + 1}: direct  ${fmtRate(directResult!)}`);
        console.log(`         gateway ${fmtRate(gatewayResult!)}${introspected > 0 ? `  [${introspected} introspection${introspected > 1 ? 's' : ''} in this round]` : ''}`);
      }
      atRates.push(entry);
    }
    // The design before (docs/gateway.md, round 7): the headline rate offered to one side at a time, in alternating rounds.
    const headlinePoint = rates.find((point) => point.headline)!;
    const headlineSeconds = Math.max(SECONDS, Math.ceil((2 * MIN_SAMPLES) / headlinePoint.rate));
    const alternating = { direct: [] as FixedRateResult[], gateway: [] as FixedRateResult[] };
    const alternatingSeconds = Math.max(SECONDS, Math.ceil(MIN_SAMPLES / headlinePoint.rate));
    console.log(`${headlinePoint.rate} req/s to one side at a time, ${HEADLINE_ROUNDS} rounds alternating direct / gateway, ${alternatingSeconds} s each`);
    for (let round = 0; round < HEADLINE_ROUNDS; round++) {
      const run = (side: keyof typeof sides) => inSession(side, (request) => fixedRate.run({ targets: [{ url: sides[side].url, request }], rate: headlinePoint.rate, seconds: alternatingSeconds }));
      alternating.direct.push((await run('direct'))[0]!);
      alternating.gateway.push((await run('gateway'))[0]!);
      console.log(`round ${round + 1}: direct  ${fmtRate(alternating.direct[round]!)}`);
      console.log(`         gateway ${fmtRate(alternating.gateway[round]!)}`);
    }
    // The floor (lib/bare-proxy.mjs) in the gateway's place, in turns with direct at the headline rate: what one more hop costs on this machine.
    const floor = { direct: [] as FixedRateResult[], gateway: [] as FixedRateResult[] };
    const floorCpuBefore = cpuMs(floorProxy.pid!);
    console.log(`${headlinePoint.rate} req/s, the floor (a bare node:http proxy) in the gateway's place, ${HEADLINE_ROUNDS} × ${headlineSeconds} s, turns`);
    for (let round = 0; round < HEADLINE_ROUNDS; round++) {
      const [directResult, floorResult] = await paired((targets) => fixedRate.run({ targets, rate: headlinePoint.rate / 2, seconds: headlineSeconds }), 'floor');
      floor.direct.push(directResult!);
      floor.gateway.push(floorResult!);
      console.log(`round ${round + 1}: direct  ${fmtRate(directResult!)}`);
      console.log(`         floor   ${fmtRate(floorResult!)}`);
    }
    const floorCpuPerCall = (cpuMs(floorProxy.pid!) - floorCpuBefore) / sum(floor.gateway, (r) => r.ok);
    const directAtRate = [...atRates.flatMap((entry) => entry.direct), ...alternating.direct, ...floor.direct];
    const throughAtRate = [...atRates.flatMap((entry) => entry.gateway), ...alternating.gateway];

    const ratios = direct.map((d, i) => through[i]!.rps / d.rps);
    const addedAtSaturation = direct.map((d, i) => through[i]!.p99 - d.p99);
    const gatewayCalls = [...through.map((r) => r.ok), ...throughAtRate.map((r) => r.ok)].reduce((a, b) => a + b, 0);
    const allCalls = gatewayCalls + [...direct.map((r) => r.ok), ...directAtRate.map((r) => r.ok), ...floor.gateway.map((r) => r.ok)].reduce((a, b) => a + b, 0);
    const requests = [...through.map((r) => r.ok + r.failed), ...throughAtRate.map((r) => r.sent)].reduce((a, b) => a + b, 0);
    const introspections = (await countIntrospections(gatehouse)) - introspectionsBefore;
    console.log(`\ntools/call echo, load generator ${wrk ? 'wrk' : 'autocannon (in process)'}`);
    console.log(`saturation: direct median ${directRps.toFixed(0)} req/s, gateway median ${gatewayRps.toFixed(0)} req/s`);
    console.log(`throughput ratio (median of rounds): ${median(ratios).toFixed(2)}×  (target ≥ 0.80×)`);
    console.log(
      `p99 at saturation: direct ${median(direct.map((r) => r.p99)).toFixed(2)} ms, gateway ${median(through.map((r) => r.p99)).toFixed(2)} ms, added ${median(addedAtSaturation).toFixed(2)} ms (≈ connections / throughput: not the latency headline)`,
    );
    console.log('\nlatency at fixed offered rates (medians of rounds; added = gateway − direct, per round):');
    console.log(
      `   offered                                              direct p50 / p99     gateway p50 / p99    added p50 / p99    generator lag p99   stalls > ${STALL_MS} ms direct / gateway (all rounds)`,
    );
    for (const entry of atRates) printRow(entry.headline ? '*' : ' ', `${entry.rate} req/s (${entry.label}), turns`, entry);
    printRow(' ', `${headlinePoint.rate} req/s to one side at a time, alternating rounds`, alternating);
    printRow(' ', `${headlinePoint.rate} req/s, the floor in the gateway's place, turns`, floor);
    const headline = atRates.find((entry) => entry.headline)!;
    console.log(
      `added p99 at ${HEADLINE_SHARE * 100}% of direct saturation (${headline.rate} req/s, direct and gateway calls taking turns, median of rounds): ${median(headline.direct.map((d, i) => headline.gateway[i]!.p99 - d.p99)).toFixed(2)} ms  (target ≤ 2 ms; the rule is in this file's header)`,
    );
    console.log(
      `the floor (a bare node:http proxy) in the gateway's place, same rate, same way: added p99 ${median(floor.direct.map((d, i) => floor.gateway[i]!.p99 - d.p99)).toFixed(2)} ms, added p50 ${median(floor.direct.map((d, i) => floor.gateway[i]!.p50 - d.p50)).toFixed(2)} ms: what one more hop costs on this machine`,
    );
    console.log(`introspections during the gateway runs: ${introspections} for ${requests} requests (cache hit rate ${(100 * (1 - introspections / Math.max(1, requests))).toFixed(2)}%)`);
    console.log(`decision records logged by the gateway: ${decisionLines}`);
    // CPU per request: what the gateway costs whatever else the machine is doing.
    console.log(
      `CPU: upstream ${((cpuMs(upstream.pid!) - cpuBefore.upstream) / allCalls).toFixed(2)} ms per call (direct, gateway and floor calls), gateway process ${((cpuMs(gateway.pid!) - cpuBefore.gateway) / gatewayCalls).toFixed(2)} ms per call, floor proxy ${floorCpuPerCall.toFixed(2)} ms per call, fixed-rate generator ${median(throughAtRate.map((r) => r.generatorCpuPerRequest)).toFixed(2)} ms per request`,
    );
    console.log(
      `memory (RSS) before → after the measurements: upstream ${rssBefore.upstream.toFixed(0)} → ${rssMb(upstream.pid!).toFixed(0)} MB, gateway process ${rssBefore.gateway.toFixed(0)} → ${rssMb(gateway.pid!).toFixed(0)} MB`,
    );
    if (TRACE_STALLS) {
      // The tracers write every second: wait for the last lines.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const traced = { upstream: readTrace(traces.upstream), gateway: readTrace(traces.gateway) };
      console.log('\nstalls (> 10 ms) by the process paused at the time (BENCH_TRACE_STALLS; lib/stall-attribution.ts):');
      for (const entry of atRates) {
        const stallsOf = (results: FixedRateResult[]) => results.flatMap((result) => result.stallTimes);
        console.log(`${entry.rate} req/s  direct:  ${formatStallCauses(attributeStalls(stallsOf(entry.direct), { upstream: traced.upstream }))}`);
        console.log(`${' '.repeat(String(entry.rate).length)}        gateway: ${formatStallCauses(attributeStalls(stallsOf(entry.gateway), traced))}`);
      }
    }
    const failed = [...direct, ...through, ...directAtRate, ...throughAtRate, ...floor.gateway].reduce((sum, r) => sum + r.failed, 0);
    if (failed > 0) {
      console.error(`${failed} requests failed`);
      process.exitCode = 1;
    }
  } finally {
    generator?.close();
    for (const child of children) child.kill('SIGTERM');
    await gatehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Introspection requests Gatehouse answered (its counter gatehouse_http_requests_total by route). */
async function countIntrospections(gatehouse: BenchGatehouse): Promise<number> {
  const metric = await gatehouse.metrics.registry.getSingleMetric('gatehouse_http_requests_total')?.get();
  return (metric?.values ?? []).filter((value) => String(value.labels.route ?? '').includes('introspect')).reduce((sum, value) => sum + value.value, 0);
}

await main();
