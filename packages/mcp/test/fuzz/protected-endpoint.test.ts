/**
 * Fuzzing the SDK's protected MCP endpoint (protectMcpServer in front of a
 * small gated McpServer with tools, resources and prompts of different
 * scopes) with hostile input: odd methods, header sets (bearer credentials
 * valid, expired, for another audience or malformed; routing headers;
 * Accept and Content-Type variants), random bytes, broken and deep JSON,
 * JSON-RPC messages with unknown methods, wrong member types, prototype keys
 * and batches. Tokens are verified by RFC 7662 introspection whose fetch is
 * answered in process. What must hold: no 5xx, no unhandled rejection,
 * errors as OAuth error JSON (challenges) or JSON-RPC errors. Case count and
 * seed: fuzz/settings.ts (`npm run fuzz` runs 100,000).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSpec, hostileRequest, toRequest, type RequestSpec, type RouteShape } from '../../../../fuzz/hostile-http.ts';
import { fuzzSettings, settle, timeoutFor, watchUnhandledRejections } from '../../../../fuzz/settings.ts';
import { metadataPaths } from '../../src/protected-resource-metadata.ts';
import { protectMcpServer, type ProtectedMcp } from '../../src/index.ts';
import { activeToken } from '../support/fake-authorization-server.ts';
import { buildServer, RESOURCE, SCOPES } from '../support/fixture.ts';
import { jsonRpcBody } from './json-rpc.ts';

const ISSUER = 'http://127.0.0.1:4000';
const origin = new URL(RESOURCE).origin;
const { runs, seed } = fuzzSettings('SDK protected MCP endpoint');
const rejections = watchUnhandledRejections();

/** What the authorization server says about each token the fuzz may present. */
const now = () => Math.floor(Date.now() / 1000);
const INTROSPECTION: Record<string, () => Record<string, unknown>> = {
  reader: () => activeToken(ISSUER, { scope: 'tickets:read' }),
  writer: () => activeToken(ISSUER, { scope: 'tickets:read ticket:write:update' }),
  everything: () => activeToken(ISSUER, { scope: SCOPES.join(' ') }),
  service: () => activeToken(ISSUER, { scope: 'tickets:read', sub: 'agent', users_org_roles: undefined, token_kind: 'service' }),
  expired: () => activeToken(ISSUER, { exp: now() - 10 }),
  foreign: () => activeToken(ISSUER, { aud: 'https://other.example/mcp' }),
  odd: () => ({ active: true, scope: 5, sub: {}, aud: [RESOURCE, 7], exp: 'soon', client_id: null }),
  revoked: () => ({ active: false }),
};

/** The in-process introspection endpoint: form body, token looked up in the table above. */
async function introspect(_url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const token = new URLSearchParams(String(init?.body ?? '')).get('token') ?? '';
  const answer = Object.hasOwn(INTROSPECTION, token) ? INTROSPECTION[token]!() : { active: false };
  return new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
}

let mcp: ProtectedMcp;
beforeAll(() => {
  mcp = protectMcpServer({
    server: buildServer().server,
    issuer: ISSUER,
    resource: RESOURCE,
    scopesSupported: SCOPES,
    resourceName: 'Fixture tools',
    organizations: ['org_acme'],
    introspection: { clientId: 'rs', clientSecret: 'secret', revocationStream: false, cacheTtlMs: 50, fetch: introspect as typeof fetch },
  });
  rejections.install();
});
afterAll(async () => {
  rejections.stop();
  await mcp.close();
});

const ACCEPT = ['accept', 'application/json, text/event-stream'] as const;
const bearer = (token: string) => ['authorization', `Bearer ${token}`] as const;
const credentials: RouteShape['credentials'] = [
  ...Object.keys(INTROSPECTION).map((token) => [bearer(token), ACCEPT]),
  [bearer('everything'), ACCEPT, ['origin', origin]],
  [bearer('everything'), ACCEPT, ['mcp-method', 'tools/call'], ['mcp-name', 'whoami']],
  [bearer('reader'), ACCEPT, ['mcp-protocol-version', '2025-06-18']],
  [bearer('never-issued'), ACCEPT],
  [ACCEPT],
];
const known: RouteShape['known'] = {};

type Role = 'mcp' | 'metadata';
/** What each role's requests look like; every path the SDK serves must have a role. */
const SHAPES: Record<Role, Omit<RouteShape, 'path' | 'known' | 'credentials'>> = {
  mcp: { method: 'POST', params: ['jsonrpc', 'id', 'method', 'params'], body: 'json', protocolBody: jsonRpcBody },
  metadata: { method: 'GET', params: [], body: 'none' },
};

/** The paths the protected endpoint answers, as the SDK itself lists them. */
function servedPaths(): Array<{ path: string; role: Role | undefined }> {
  const prm = new Set(metadataPaths(mcp.metadata.resource));
  return [mcp.mcpPath, ...prm].map((path) => ({ path, role: path === mcp.mcpPath ? 'mcp' : prm.has(path) ? 'metadata' : undefined }));
}

const isOAuthError = (body: unknown): boolean => typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string';
const isJsonRpcError = (body: unknown): boolean => {
  const error = (body as { jsonrpc?: unknown; error?: { code?: unknown; message?: unknown } } | null)?.error;
  return (body as { jsonrpc?: unknown }).jsonrpc === '2.0' && typeof error?.code === 'number' && typeof error.message === 'string';
};

/** Reads a body, but never waits forever on a stream that does not end. */
async function readBody(response: Response): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 5_000)));
  try {
    return await Promise.race([response.text(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function attack(spec: RequestSpec): Promise<{ status: number; problem?: string }> {
  const request = toRequest(origin, spec);
  if (!request) return { status: 0 };
  const rejectionsBefore = rejections.rejections.length;
  const response = await mcp.fetch(request, { ip: '203.0.113.9' });
  const text = await readBody(response);
  await settle();
  if (text === undefined) {
    await response.body?.cancel().catch(() => {});
    return { status: response.status, problem: `${response.status} body never finished (${response.headers.get('content-type')})` };
  }
  if (response.status >= 500) return { status: response.status, problem: `${response.status} ${text.slice(0, 300)}` };
  if (rejections.rejections.length > rejectionsBefore)
    return { status: response.status, problem: `unhandled rejection: ${String((rejections.rejections.at(-1) as Error)?.stack ?? rejections.rejections.at(-1))}` };
  if (response.status < 400 || spec.method.toUpperCase() === 'HEAD') return { status: response.status };
  // 405 answers carry Allow and no body; every other error speaks OAuth (challenges, 404) or JSON-RPC.
  if (response.status === 405 && text === '' && response.headers.get('allow')) return { status: response.status };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: response.status, problem: `error ${response.status} is not JSON: ${JSON.stringify(text.slice(0, 200))}` };
  }
  if (isOAuthError(body) || isJsonRpcError(body)) return { status: response.status };
  return { status: response.status, problem: `error ${response.status} is neither OAuth error JSON nor a JSON-RPC error: ${text.slice(0, 200)}` };
}

describe('Fuzzing the SDK protected MCP endpoint', () => {
  it('has a hostile-request generator for every path the SDK serves', () => {
    expect(servedPaths().filter((p) => p.role === undefined)).toEqual([]);
  });

  it(
    'answers every hostile request without a 5xx or an unhandled rejection, errors as OAuth error JSON or JSON-RPC errors',
    async () => {
      const statuses = new Map<number, number>();
      const survey = process.env.GATEHOUSE_FUZZ_SURVEY === '1';
      const found = new Map<string, string>();
      // The served paths, plus one it does not serve (answered 404 JSON).
      const targets = [...servedPaths(), { path: '/elsewhere', role: 'metadata' as const }];
      const cases = fc.constantFrom(...targets).chain(({ path, role }) => hostileRequest({ ...SHAPES[role!], path, known, credentials }));
      await fc.assert(
        fc.asyncProperty(cases, async (spec) => {
          const outcome = await attack(spec);
          statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
          if (!outcome.problem) return;
          const report = `${outcome.problem}\nrequest: ${describeSpec(spec)}`;
          if (!survey) throw new Error(report);
          const group = outcome.problem.split('\n')[0]!.slice(0, 120);
          if (!found.has(group)) found.set(group, report);
        }),
        { numRuns: runs, seed, endOnFailure: runs > 10_000 },
      );
      const fivexx = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
      console.log(`[fuzz] SDK: ${runs} cases, ${fivexx} answered 5xx, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
      for (const report of found.values()) console.log(`[fuzz] FAILURE ${report}`);
      expect([...found.keys()]).toEqual([]);
      expect(rejections.rejections).toEqual([]);
    },
    timeoutFor(runs),
  );
});
