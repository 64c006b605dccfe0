/**
 * `npm run bench sdk`: tools/call through @gatehouse-auth/mcp (introspection
 * verification, cache warm, revocation stream connected) next to the SAME
 * McpServer served unprotected, in one run, on one Node bridge
 * (@hono/node-server) and the same stateless per-request transport. Both
 * servers run in a child process so autocannon does not share their event
 * loop. Prints throughput, p99 and the ratio, plus what the cached
 * verification itself costs per call. Targets: ≤10 % throughput lost,
 * ≤1 ms added at p99.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { getRequestListener } from '@hono/node-server';
import { z } from 'zod';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { GatedMcpServer, IntrospectionVerifier, protectMcpServer, requireScopes, toNodeListener } from '@gatehouse-auth/mcp';
import { fork } from 'node:child_process';
import { runLoad, type LoadResult } from './lib/load.ts';

interface SdkBenchInfo {
  plainUrl: string;
  protectedUrl: string;
  token: string;
}

const SECONDS = 2;
const ROUNDS = 6;
const CONNECTIONS = 8;
const TOKEN = 'bench-access-token-0123456789abcdefghijklmnopqrstuvwxyz';
const CLIENT = { clientId: 'bench-rs', clientSecret: 'bench-rs-secret' };
const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: { status: 'open' } } });

interface Timing {
  mean: number;
  p50: number;
  p99: number;
}
function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, p50: at(0.5), p99: at(0.99) };
}

const listen = (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> =>
  new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

function definition(): GatedMcpServer {
  const server = new GatedMcpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'List tickets', inputSchema: { status: z.string().optional() }, requires: requireScopes('tickets:read') }, async ({ status }) => ({
    content: [{ type: 'text', text: JSON.stringify([{ id: 'T-1', status: status ?? 'open', title: 'Login page is slow' }]) }],
  }));
  server.registerTool('update_ticket', { description: 'Update a ticket', inputSchema: { ticketId: z.string() }, requires: requireScopes('ticket:write:update') }, async () => ({ content: [] }));
  return server;
}

/** A tiny authorization server: RFC 7662 introspection and the revocation stream. */
async function startTinyAuthorizationServer(resource: () => string): Promise<{ issuer: string; introspections: () => number }> {
  let introspections = 0;
  const issuer = await listen((req, res) => {
    if (req.url === '/revocations/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ready\ndata: {"at":0}\n\n');
      return;
    }
    introspections++;
    req.resume().on('end', () => {
      const now = Math.floor(Date.now() / 1000);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ active: true, scope: 'tickets:read', client_id: 'c', sub: 'usr_bench', aud: resource(), iss: issuer, exp: now + 3600, iat: now, token_type: 'Bearer', org_id: 'org_bench', users_org_roles: ['Support'], users_org_permissions: [] }));
    });
  });
  return { issuer, introspections: () => introspections };
}

async function serverProcess(): Promise<void> {
  let resource = '';
  const as = await startTinyAuthorizationServer(() => resource);
  const plainServer = definition();
  const everything = new Set(['tickets:read', 'ticket:write:update']);
  const plainFetch = async (request: Request): Promise<Response> => {
    const server = plainServer.build(everything);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  };
  const plainUrl = await listen(getRequestListener(plainFetch, { overrideGlobalObjects: false }));
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const base = await listen((req, res) => handler?.(req, res));
  resource = `${base}/mcp`;
  const mcp = protectMcpServer({ server: definition(), issuer: as.issuer, resource, scopesSupported: [...everything], organizations: ['org_bench'], introspection: CLIENT });
  const node = toNodeListener(mcp);
  handler = (req, res) => void node(req, res);
  const verifier = new IntrospectionVerifier({ issuer: as.issuer, resource, ...CLIENT });
  const inProcess = async (): Promise<{ plain: Timing; guarded: Timing }> => {
    const make = () => new Request(resource, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}` }, body: BODY });
    const plain: number[] = [];
    const guarded: number[] = [];
    for (let i = 0; i < 3000; i++) {
      // Alternate so both see the same machine load.
      for (const [fetcher, into] of [[plainFetch, plain], [mcp.fetch, guarded]] as const) {
        const start = performance.now();
        const response = await fetcher(make());
        await response.text();
        if (response.status !== 200) throw new Error(`in-process run answered ${response.status}`);
        if (i >= 200) into.push(performance.now() - start);
      }
    }
    return { plain: timing(plain), guarded: timing(guarded) };
  };
  process.on('message', async (question) => {
    if (question === 'in-process') process.send!(await inProcess());
    if (question === 'verify-cost') {
      await verifier.verify(TOKEN);
      const n = 200_000;
      const start = performance.now();
      for (let i = 0; i < n; i++) await verifier.verify(TOKEN);
      process.send!({ microseconds: ((performance.now() - start) * 1000) / n, introspections: as.introspections() });
    }
  });
  const info: SdkBenchInfo = { plainUrl: `${plainUrl}/mcp`, protectedUrl: resource, token: TOKEN };
  console.log(JSON.stringify(info));
}

/** The servers run in a child process (this file, in server mode) so the load generator does not share their event loop. */
async function startServerProcess() {
  const process_ = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, GATEHOUSE_SDK_BENCH_CHILD: '1' } });
  const info = await new Promise<SdkBenchInfo>((resolve, reject) => {
    let buffer = '';
    process_.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(buffer.slice(0, newline)) as SdkBenchInfo);
    });
    process_.once('exit', (code) => reject(new Error(`sdk bench server exited with ${code}`)));
  });
  return {
    info,
    ask: <R>(question: string) =>
      new Promise<R>((resolve) => {
        process_.once('message', (answer) => resolve(answer as R));
        process_.send(question);
      }),
    stop: () => {
      process_.kill('SIGTERM');
    },
  };
}

async function main(): Promise<void> {
  const child = await startServerProcess();
  const request = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${child.info.token}` }, body: BODY };
  const run = (url: string, seconds = SECONDS) => runLoad({ url, seconds, connections: CONNECTIONS, request });
  try {
    await run(child.info.plainUrl, 1);
    await run(child.info.protectedUrl, 1);
    const plain: LoadResult[] = [];
    const guarded: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Swap the order every round so neither side always pays the other's GC debt.
      if (round % 2 === 0) {
        plain.push(await run(child.info.plainUrl));
        guarded.push(await run(child.info.protectedUrl));
      } else {
        guarded.push(await run(child.info.protectedUrl));
        plain.push(await run(child.info.plainUrl));
      }
    }
    const mean = (results: LoadResult[], key: 'rps' | 'p99') => results.reduce((sum, r) => sum + r[key], 0) / results.length;
    const failures = [...plain, ...guarded].reduce((sum, r) => sum + r.failed, 0);
    const row = (label: string, results: LoadResult[]) => console.log(`${label.padEnd(34)} ${mean(results, 'rps').toFixed(0).padStart(7)} req/s   p99 ${mean(results, 'p99').toFixed(2)} ms`);
    console.log(`tools/call, ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS} s each (alternating), stateless JSON responses; means:`);
    row('unprotected McpServer', plain);
    row('@gatehouse-auth/mcp (cached introspection)', guarded);
    // Each round's pair ran back to back under the same machine load: compare within pairs, take the median.
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = median(guarded.map((g, i) => g.rps / plain[i]!.rps));
    const added = median(guarded.map((g, i) => g.p99 - plain[i]!.p99));
    console.log(`ratio protected/unprotected        ${(ratio * 100).toFixed(1)} % median of ${ROUNDS} paired rounds (throughput lost ${((1 - ratio) * 100).toFixed(1)} %, target ≤ 10 %)`);
    console.log(`p99 added                          ${added.toFixed(2)} ms median of paired rounds (target ≤ 1 ms)`);
    if (failures > 0) console.log(`WARNING: ${failures} non-2xx responses or errors: the figures above are not valid`);
    const direct = await child.ask<{ plain: Timing; guarded: Timing }>('in-process');
    const fmt = (t: Timing) => `mean ${(t.mean * 1000).toFixed(0)} µs   p50 ${(t.p50 * 1000).toFixed(0)} µs   p99 ${(t.p99 * 1000).toFixed(0)} µs`;
    console.log(`in process, sequential, no sockets (2800 requests each, interleaved):`);
    console.log(`  unprotected McpServer            ${fmt(direct.plain)}`);
    console.log(`  @gatehouse-auth/mcp                   ${fmt(direct.guarded)}`);
    console.log(`  added                            mean ${((direct.guarded.mean - direct.plain.mean) * 1000).toFixed(0)} µs   p99 ${((direct.guarded.p99 - direct.plain.p99) * 1000).toFixed(0)} µs`);
    const cost = await child.ask<{ microseconds: number; introspections: number }>('verify-cost');
    console.log(`cached verify() alone              ${cost.microseconds.toFixed(2)} µs/call (sha256 + cache lookup); introspection calls in the whole run: ${cost.introspections}`);
  } finally {
    child.stop();
  }
}

if (process.env.GATEHOUSE_SDK_BENCH_CHILD === '1') await serverProcess();
else await main();
