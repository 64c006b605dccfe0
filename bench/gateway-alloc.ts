/**
 * `npm run bench gateway-alloc`: what the gateway process allocates per
 * proxied tools/call, and how many calls pass between two of its
 * young-generation collections (scavenges). Deterministic where
 * `npm run bench gateway` is not: bytes are counted by V8, not timed, so
 * the figure holds on a busy machine. Every scavenge pauses the calls in
 * flight (about 1 ms here); fewer bytes per call, fewer pauses.
 *
 * Same setup as bench/gateway.ts: server-everything over Streamable HTTP as
 * the upstream (its own process), a Gatehouse in this process, the built
 * gateway bin (`node packages/cli/dist/bin.js gateway --config …`) with
 * real introspection and decision lines logged. The gateway runs with
 * `--trace-gc-nvp` and lib/alloc-window.mjs; after BENCH_ALLOC_WARMUP calls
 * (JIT, caches), this sends BENCH_ALLOC_CALLS echo calls one after another
 * on one keep-alive connection, between two marks (a young-generation
 * collection the preload runs on SIGUSR2), and sums the `allocated=` of
 * every collection after the first mark up to the second: the bytes of
 * exactly those calls.
 *
 * BENCH_GATEWAY_NODE_ARGS (e.g. `--max-semi-space-size=64`) are passed to
 * the gateway process, as in bench/gateway.ts.
 *
 * BENCH_HEAP_PROFILE=<file>: the preload also samples the gateway's
 * allocations between the marks (objects already collected included); the
 * profile is written to <file> and its top allocating functions are
 * printed (lib/heap-profile-summary.ts). The profiler costs allocations of
 * its own: the bytes per call of a profiled run are not the headline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeHeapProfile } from './lib/heap-profile-summary.ts';
import { agentToken, type BenchGatehouse, CLI, freePort, GATEWAY_CLIENT, GATEWAY_SECRET_ENV, startBenchGatehouse, startEverything, waitFor, writeGatewayConfig } from './lib/gateway-setup.ts';
import { buildPackages } from './lib/installed-child.ts';
import { CALL, closeSession, MCP_HEADERS, openSession } from './lib/mcp-session.ts';
import { openRawHttpClient, requestBytes } from './lib/raw-http.ts';

const CALLS = Number(process.env.BENCH_ALLOC_CALLS ?? 4000);
const WARMUP = Number(process.env.BENCH_ALLOC_WARMUP ?? 2000);
const HEAP_PROFILE = process.env.BENCH_HEAP_PROFILE;
const here = dirname(fileURLToPath(import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One collection as --trace-gc-nvp reports it. */
interface Collection {
  scavenge: boolean;
  allocated: number;
  pause: number;
}

function parseCollection(line: string): Collection | undefined {
  if (!line.includes(' gc=')) return undefined;
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(line)?.[1];
  const gc = field('gc');
  return { scavenge: gc === 's', allocated: Number(field('allocated') ?? 0), pause: Number(field('pause') ?? 0) };
}

async function main(): Promise<void> {
  buildPackages('gateway-alloc');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-alloc-'));
  if (HEAP_PROFILE) rmSync(HEAP_PROFILE, { force: true });
  const children: ChildProcess[] = [];
  const [upstreamPort, gatewayPort] = [await freePort(), await freePort()];
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/mcp`;
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const resource = `${gatewayOrigin}/everything/mcp`;
  let gatehouse: BenchGatehouse | undefined;
  try {
    children.push(await startEverything(upstreamPort));
    gatehouse = await startBenchGatehouse(resource);
    const config = join(dir, 'gateway.yaml');
    await writeGatewayConfig(config, gatehouse, { gatewayOrigin, gatewayPort, upstreamUrl });
    const gateway = spawn(
      process.execPath,
      [...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--trace-gc-nvp', '--expose-gc', '--import', join(here, 'lib/alloc-window.mjs'), CLI, 'gateway', '--config', config],
      {
        env: { ...process.env, NODE_OPTIONS: '', [GATEWAY_SECRET_ENV]: GATEWAY_CLIENT.secret, GATEHOUSE_HEAP_PROFILE: HEAP_PROFILE ?? '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(gateway);
    const collections: Collection[] = [];
    let decisionLines = 0;
    let rest = '';
    gateway.stdout!.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.includes('gateway decision')) decisionLines++;
        const collection = parseCollection(line);
        if (collection) collections.push(collection);
      }
    });
    await waitFor(`${gatewayOrigin}/.well-known/oauth-protected-resource/everything/mcp`, gateway, 'gatehouse gateway');

    const token = await agentToken(gatehouse, resource);
    const headers = { authorization: `Bearer ${token}` };
    const session = await openSession(resource, headers);
    const client = openRawHttpClient(resource, requestBytes(resource, 'POST', { ...MCP_HEADERS, ...headers, 'mcp-session-id': session }, CALL));
    const calls = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const status = await client.send();
        if (status !== 200) throw new Error(`call ${i} answered HTTP ${status}`);
      }
    };
    await calls(WARMUP);
    /** Signals a mark and waits for its collection's line (the gateway's stdout is a pipe: lines may come late). */
    const mark = async () => {
      const before = collections.length;
      gateway.kill('SIGUSR2');
      for (let i = 0; i < 100 && collections.length === before; i++) await sleep(20);
      if (collections.length !== before + 1) throw new Error(`expected the mark's collection alone, got ${collections.length - before} lines`);
    };
    await sleep(200);
    await mark();
    const from = collections.length;
    await calls(CALLS);
    await mark();
    const measured = collections.slice(from);
    if (HEAP_PROFILE) for (let i = 0; i < 50 && !existsSync(HEAP_PROFILE); i++) await sleep(100);
    client.close();
    await closeSession(resource, headers, session);

    const allocated = measured.reduce((sum, c) => sum + c.allocated, 0);
    // The last is the mark's: not a scavenge the calls caused.
    const scavenges = measured.slice(0, -1).filter((c) => c.scavenge);
    const pauses = scavenges.map((c) => c.pause).sort((a, b) => a - b);
    console.log(`gateway, ${CALLS} sequential tools/call echo after ${WARMUP} warm-up calls (--trace-gc-nvp):`);
    console.log(`  allocated ${(allocated / 1024 / 1024).toFixed(1)} MB in ${measured.length} collections: ${(allocated / CALLS / 1024).toFixed(1)} KB per call`);
    console.log(
      `  scavenges ${scavenges.length}: ${scavenges.length === 0 ? `none in ${CALLS} calls (run more calls for a rate)` : `one per ${(CALLS / scavenges.length).toFixed(0)} calls, pause median ${pauses[Math.floor(pauses.length / 2)]!.toFixed(2)} ms`}; other collections ${measured.length - 1 - scavenges.length}`,
    );
    await sleep(200); // decision lines leave in batches, at most 100 ms late
    console.log(`  decision lines the gateway logged, warm-up included: ${decisionLines}`);
    if (HEAP_PROFILE) summarizeHeapProfile(HEAP_PROFILE, CALLS);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await gatehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
