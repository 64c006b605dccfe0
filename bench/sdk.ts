/**
 * `npm run bench sdk`: an MCP server protected as a user of
 * @gatehouse-auth/mcp protects it, next to the same tools on a plain
 * `McpServer` from the official SDK, in one run.
 *
 * - Protected: `protectMcpServer` with real introspection against a real
 *   Gatehouse (started by `serveGatehouse`, as `gatehouse serve` runs it,
 *   in its own process; its revocation stream connected) and the audit hook
 *   on (`onDecision: auditDecisions(log)`, a durable record per tool call
 *   in the resource server's own SQLite audit log).
 * - Plain: `new McpServer(...)` with the same tools, a stateless
 *   Streamable HTTP transport per request (the SDK's stateless pattern),
 *   sharing the SDK's Ajv validator and each tool's input schema object
 *   across requests as GatedMcpServer does, on the same Node bridge.
 *
 * Scenarios: 10,000 distinct callers (live tokens seeded in Gatehouse by
 * another process, picked at random: the SDK's verification cache starts
 * empty and each new caller costs an introspection), and one caller (the
 * warm cache). Pairs of runs alternate; the headline is the median of the
 * paired ratios. Prints each process's CPU per request and the SDK's cache
 * hit rate (1 − introspections / requests). Target: ≥ 0.9× with 10,000 callers.
 *
 * Load: wrk when installed (lib/wrk-load.ts; a Lua script gives each request
 * one of the scenario's tokens at random), else autocannon with a warning.
 * The generator runs on the same 2 cores as both servers; wrk's smaller
 * share leaves more of them to the servers, which lowers a ratio whose
 * protected side spends more CPU (Gatehouse's included) than the plain one.
 * BENCH_LOAD=autocannon forces autocannon.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { normalizeObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { protectMcpServer, toNodeListener } from '@gatehouse-auth/mcp';
import { AuditLog, auditDecisions } from '@gatehouse-auth/audit';
import { createStore } from '@gatehouse-auth/store';
import type { CacheStats } from '@gatehouse-auth/authorization-server';
import { startChild, answerQuestions, announceReady } from './lib/child.ts';
import { startInstalledChild } from './lib/installed-child.ts';
import { writeBenchConfig } from './lib/as-gatehouse-config.ts';
import { RESOURCE, RESOURCE_SERVER } from './lib/as-shared.ts';
import type { LoadResult } from './lib/load.ts';
import { loadGenerator, runVariedLoad } from './lib/wrk-load.ts';
import { fmt, median, printTable } from './lib/report.ts';
import { gatedTicketServer, listen, listTickets, updateTicket } from './lib/ticket-server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 10_000);
/** Callers of the warm-up only: the introspection path (the SDK's and Gatehouse's) is compiled before the first run, and no scenario token is cached by it. */
const WARMUP_CALLERS = 1_000;
const ISSUER = 'http://127.0.0.1:4000'; // the example config's issuer
const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: { status: 'open' } } });
const here = dirname(fileURLToPath(import.meta.url));

interface SdkInfo {
  plainUrl: string;
  protectedUrl: string;
  /** Where `@gatehouse-auth/mcp` was loaded from: the built package (dist), as a user installs it. */
  sdkModule: string;
}

/**
 * The tools, on the official SDK's McpServer: what a user has before adding Gatehouse. Same MCP work as
 * GatedMcpServer per request: one Ajv validator for every server, and each tool's input schema made into its
 * object schema once (as the SDK makes it of the raw shape), not per request; GatedMcpServer does both by itself.
 */
const validator = new AjvJsonSchemaValidator();
const listTicketsInput = normalizeObjectSchema({ status: z.string().optional() })!;
const updateTicketInput = normalizeObjectSchema({ ticketId: z.string() })!;
function plainServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' }, { jsonSchemaValidator: validator });
  server.registerTool('list_tickets', { description: 'List tickets', inputSchema: listTicketsInput }, listTickets);
  server.registerTool('update_ticket', { description: 'Update a ticket', inputSchema: updateTicketInput }, updateTicket);
  return server;
}

/** Child mode: both MCP servers in one process, so each run's CPU is that server's. */
async function serverProcess(): Promise<void> {
  const gatehouseUrl = process.env.BENCH_GATEHOUSE_URL!;
  const plainPort = await listen(
    getRequestListener(
      async (request) => {
        const server = plainServer();
        const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        try {
          await server.connect(transport);
          return await transport.handleRequest(request);
        } finally {
          await server.close();
        }
      },
      { overrideGlobalObjects: false },
    ),
  );
  const auditStore = await createStore(`sqlite:${join(process.env.BENCH_DIR!, 'resource-server-audit.db')}`);
  const log = new AuditLog({ store: auditStore.audit });
  const mcp = protectMcpServer({
    server: gatedTicketServer(),
    issuer: ISSUER,
    resource: RESOURCE,
    scopesSupported: ['tickets:read', 'ticket:write:update'],
    organizations: [process.env.BENCH_ORG_ID!],
    introspection: {
      clientId: RESOURCE_SERVER.id,
      clientSecret: RESOURCE_SERVER.secret,
      endpoint: `${gatehouseUrl}/introspect`,
      revocationStream: `${gatehouseUrl}/revocations/stream`,
      // BENCH_SDK_FETCH=1: introspect through the global fetch, as before the node:http transport (for comparison).
      ...(process.env.BENCH_SDK_FETCH === '1' ? { fetch: globalThis.fetch } : {}),
    },
    onDecision: auditDecisions(log),
    onError: (error) => console.error('sdk bench:', error),
  });
  const protectedPort = await listen(toNodeListener(mcp));
  answerQuestions(
    { access: [], refresh: [] },
    {
      'audit-records': async () => {
        await log.flush();
        let records = 0;
        for (const chain of await auditStore.audit.chains()) records += (await auditStore.audit.head(chain))?.seq ?? 0;
        return records;
      },
    },
  );
  announceReady({ plainUrl: `http://127.0.0.1:${plainPort}/mcp`, protectedUrl: `http://127.0.0.1:${protectedPort}/mcp`, sdkModule: import.meta.resolve('@gatehouse-auth/mcp') } satisfies SdkInfo);
  // Exit through Node (not the default signal death) so --cpu-prof in BENCH_CHILD_ARGS writes its profile.
  process.on('SIGTERM', () => void log.close().finally(() => process.exit(0)));
}

interface Run {
  result: LoadResult;
  sdkCpu: number;
  gatehouseCpu: number;
  introspections: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-sdk-'));
  const databaseUrl = `sqlite:${join(dir, 'gatehouse.db')}`;
  const configPath = writeBenchConfig(dir);
  const seeding = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'lib/as-gatehouse-seed.ts'), dir, databaseUrl, configPath], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_ACCESS_TOKENS: String(CALLERS + WARMUP_CALLERS), BENCH_REFRESH_TOKENS: '0' },
  });
  if (seeding.status !== 0) throw new Error('bench sdk: seeding failed');
  // The protected server serves Acme, as the example's resource does (the SDK refuses tokens of other orgs).
  const seeded = await createStore(databaseUrl);
  process.env.BENCH_ORG_ID = (await seeded.orgs.getBySlug('acme'))?.id ?? '';
  await seeded.close();
  const gatehouse = await startChild<{ url: string }>(join(here, 'lib/as-gatehouse-server.ts'), [dir, databaseUrl, configPath]);
  process.env.BENCH_GATEHOUSE_URL = gatehouse.info.url;
  process.env.BENCH_DIR = dir;
  process.env.GATEHOUSE_SDK_BENCH_CHILD = '1';
  const sdk = await startInstalledChild<SdkInfo>('sdk', fileURLToPath(import.meta.url));
  delete process.env.GATEHOUSE_SDK_BENCH_CHILD;
  const seededTokens = await gatehouse.ask<string[]>('all:access');
  const tokens = seededTokens.slice(0, CALLERS);
  const warmupTokens = seededTokens.slice(CALLERS);
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const bearers = (list: readonly string[]) => list.map((token) => `Bearer ${token}`);
  // Each request carries one of the scenario's tokens, picked at random.
  const scenarios = [
    { name: `${CALLERS.toLocaleString('en-US')} callers, random`, target: 0.9, authorizations: bearers(tokens) },
    { name: 'one caller (warm cache)', target: undefined, authorizations: bearers(tokens.slice(0, 1)) },
  ];
  const generator = loadGenerator();
  if (generator === 'autocannon') {
    const why = process.env.BENCH_LOAD === 'autocannon' ? 'BENCH_LOAD=autocannon' : 'wrk is not installed (apt-get install -y wrk)';
    console.warn(`bench sdk: ${why}: using autocannon, a Node load generator that takes a larger share of the 2 cores from the servers measured`);
  }
  const rows: string[][] = [];
  let failures = 0;
  let requestsToProtected = 0;
  try {
    const run = async (url: string, authorizations: readonly string[], seconds = SECONDS): Promise<Run> => {
      const [sdkBefore, ghBefore, statsBefore] = await Promise.all([sdk.ask<number>('cpu'), gatehouse.ask<number>('cpu'), gatehouse.ask<CacheStats>('cache-stats')]);
      const result = await runVariedLoad({ url, seconds, connections: CONNECTIONS, method: 'POST', body: BODY, headers, varied: { header: 'authorization', values: authorizations } });
      const [sdkAfter, ghAfter, statsAfter] = await Promise.all([sdk.ask<number>('cpu'), gatehouse.ask<number>('cpu'), gatehouse.ask<CacheStats>('cache-stats')]);
      const n = Math.max(1, result.ok + result.failed);
      const calls = (s: CacheStats) => s.introspection.hits + s.introspection.misses;
      failures += result.failed;
      return { result, sdkCpu: (sdkAfter - sdkBefore) / n, gatehouseCpu: (ghAfter - ghBefore) / n, introspections: calls(statsAfter) - calls(statsBefore) };
    };
    // JIT warm-up of both servers: the cache-hit path on one scenario token (one cache entry, nothing more), and the
    // introspection path on callers of their own (their first calls are misses, in the SDK and in Gatehouse).
    await run(sdk.info.plainUrl, bearers(tokens.slice(0, 1)), 1);
    await run(sdk.info.protectedUrl, bearers(tokens.slice(0, 1)), 1);
    await run(sdk.info.protectedUrl, bearers(warmupTokens), 2);
    for (const scenario of scenarios) {
      const plain: Run[] = [];
      const guarded: Run[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        // Swap the order every round so neither side always pays the other's leftovers.
        if (round % 2 === 0) {
          plain.push(await run(sdk.info.plainUrl, scenario.authorizations));
          guarded.push(await run(sdk.info.protectedUrl, scenario.authorizations));
        } else {
          guarded.push(await run(sdk.info.protectedUrl, scenario.authorizations));
          plain.push(await run(sdk.info.plainUrl, scenario.authorizations));
        }
        requestsToProtected += guarded.at(-1)!.result.ok + guarded.at(-1)!.result.failed;
      }
      const ratio = median(guarded.map((g, i) => g.result.rps / plain[i]!.result.rps));
      const requests = guarded.reduce((sum, g) => sum + g.result.ok + g.result.failed, 0);
      const introspections = guarded.reduce((sum, g) => sum + g.introspections, 0);
      rows.push([
        scenario.name,
        fmt(median(plain.map((p) => p.result.rps))),
        fmt(median(plain.map((p) => p.result.p99))),
        fmt(median(plain.map((p) => p.sdkCpu))),
        fmt(median(guarded.map((g) => g.result.rps))),
        fmt(median(guarded.map((g) => g.result.p99))),
        fmt(median(guarded.map((g) => g.sdkCpu))),
        fmt(median(guarded.map((g) => g.gatehouseCpu))),
        `${fmt(100 * (1 - introspections / Math.max(1, requests)), 1)} %`,
        `${ratio.toFixed(2)}×${scenario.target ? (ratio >= scenario.target ? ` (≥${scenario.target}× met)` : ` (target ${scenario.target}×: MISSED)`) : ''}`,
      ]);
    }
    const recorded = await sdk.ask<number>('audit-records');
    const header = ['scenario', 'plain req/s', 'p99 ms', 'CPU µs/req', 'protected req/s', 'p99 ms', 'CPU µs/req', 'Gatehouse CPU µs/req', 'SDK cache hits', 'ratio (median of pairs)'];
    console.log(
      `\ntools/call over ${CONNECTIONS} connections (load generator: ${generator}), ${ROUNDS} alternating pairs of ${SECONDS} s runs; medians. Plain: the official SDK's McpServer; protected: @gatehouse-auth/mcp`,
    );
    console.log('with introspection against Gatehouse (`gatehouse serve` composition, SQLite file) and a durable audit record per call. CPU µs/req: the MCP server process;');
    console.log("Gatehouse CPU µs/req: the authorization server's, per protected request. SDK cache hits: 1 − introspections / protected requests.\n");
    printTable(header, rows);
    console.log(`\nprotected requests: ${fmt(requestsToProtected)} (plus warm-up); audit records written by the resource server: ${fmt(recorded)}; failed requests: ${failures}`);
    if (failures > 0 || recorded < requestsToProtected) process.exitCode = 1;
  } finally {
    await Promise.all([sdk.stop(), gatehouse.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.GATEHOUSE_SDK_BENCH_CHILD === '1') await serverProcess();
else await main();
