/**
 * Issue 15 in the gateway: gateway.yaml's `cedar:`, `rate_limits:` and
 * `approvals:` in front of an unmodified server-everything (stdio), with a
 * real Gatehouse, a real browser login and the official SDK client. Each
 * refusal is what the client sees and a decision record naming why; the
 * upstream never gets the refused call (its tools answer only when called).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { z } from 'zod';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { randomToken } from '@gatehouse-auth/core';
import type { Gateway, GatewayDecisionRecord } from '@gatehouse-auth/gateway';
import { MISSING_REQUIRED_CLIENT_CAPABILITY, RATE_LIMITED, REASON_META_KEY } from '@gatehouse-auth/policy';
import { launchBrowser } from '../../../authorization-server/test/support/browser.ts';
import { connectAs, signIn } from '../../../gateway/test/support/login.ts';
import { configSchema } from '../../src/config/schema.ts';
import { parseGatewayFile } from '../../src/gateway/gateway-file.ts';
import { listenGateway, type ListeningGateway } from '../../src/gateway/listen-gateway.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { freePort } from '../cli/run.ts';
import { everythingStdio } from './support.ts';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const GATEWAY_CLIENT = { id: 'acme-gateway', secret: 'acme-gateway-secret-0123456789abcdef' };
const ALICE = { email: 'alice@acme.test', password: 'correct horse battery staple', name: 'Alice Engineer' };
const URL_ELICITATION = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } } };
/** The result of a tools/call as sent, whatever its shape (a 2026-07-28 input_required result too). */
const AnyResult = z.looseObject({});

const POLICIES = `@id("use-named-tools")
permit (principal, action in Action::"tools", resource);

@id("sum-needs-reason")
@reason("say why you add these numbers")
forbid (principal, action == Action::"tool:get-sum", resource)
unless { context has reason };
`;

let dir: string;
let gatehouse: RunningGatehouse;
let gateway: Gateway;
let listening: ListeningGateway;
let browser: Browser;
let client: Client;
let resource: string;
const decisions: GatewayDecisionRecord[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-gateway-runtime-'));
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  resource = `${publicUrl}/everything/mcp`;
  gatehouse = await startGatehouse({
    databaseUrl: 'sqlite::memory:',
    adminKey: randomToken(),
    config: configSchema.parse({
      roles: [{ name: 'Engineering', description: 'Builds the product', permissions: [] }],
      scopes: [{ name: 'everything:use', description: 'Use the demo tools', sensitivity: 'routine' }],
      resources: [{ uri: resource, name: 'Everything', scopes: ['everything:use'], organizations: ['acme'] }],
      organizations: [{ slug: 'acme', name: 'Acme Corp' }],
      clients: [{ client_id: GATEWAY_CLIENT.id, name: 'Acme MCP gateway', grant_types: [], secret: GATEWAY_CLIENT.secret, resource_server_for: [resource] }],
      users: [{ ...ALICE, memberships: [{ org: 'acme', roles: ['Engineering'] }] }],
    }),
    options: { cimd: { allowLoopback: true }, loginThrottle: { perAccount: 50, perIp: 500, windowSeconds: 60 } } as never,
  });
  const acme = (await gatehouse.store.orgs.getBySlug('acme'))!.id;
  writeFileSync(join(dir, 'everything.cedar'), POLICIES);
  const yaml = `issuer: ${gatehouse.issuer}
gateway:
  public_url: ${publicUrl}
  port: ${port}
introspection:
  client_id: ${GATEWAY_CLIENT.id}
  client_secret_env: GATEWAY_SECRET
upstreams:
  - name: everything
    path: /everything/mcp
    organizations: [${acme}]
    scopes: [everything:use]
${everythingStdio}    policy:
      tools:
        - { name: echo, scopes: [everything:use] }
        - { name: get-sum, scopes: [everything:use] }
        - { name: get-env, scopes: [everything:use] }
        - { name: "trigger-*", scopes: [everything:use] }
    cedar:
      files: [everything.cedar]
      time_zone: Europe/Berlin
    rate_limits:
      - { tool: echo, per: principal, limit: 2, window_seconds: 3600 }
    approvals:
      state_key_env: GATEWAY_APPROVAL_KEY
      tools:
        get-env: { approver_roles: [Management] }
`;
  const env = { GATEWAY_SECRET: GATEWAY_CLIENT.secret, GATEWAY_APPROVAL_KEY: randomBytes(32).toString('base64url') };
  gateway = await parseGatewayFile(yaml, 'gateway.yaml', env, dir).create({ onDecision: (record) => void decisions.push(record) });
  listening = await listenGateway(gateway, '127.0.0.1', port);
  browser = await launchBrowser();
  client = await connectAs(await signIn(browser, resource, ALICE), resource);
});

afterAll(async () => {
  await client?.close();
  await browser?.close();
  await listening?.close();
  await gatehouse?.close();
});

const call = (name: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  client.request({ method: 'tools/call', params: { name, arguments: args, ...extra } }, AnyResult) as Promise<Record<string, any>>;

const refusal = async (pending: Promise<unknown>): Promise<McpError> => {
  const error = await pending.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
};

const lastDecision = (tool: string) => decisions.filter((record) => record.tool === tool).at(-1);

describe('gateway.yaml cedar: Cedar policies per call after the scope check', () => {
  it('refuses get-sum without a stated reason, naming the policy, and runs it with one', async () => {
    const denied = await refusal(call('get-sum', { a: 2, b: 40 }));
    expect(denied.code).toBe(-32003);
    expect(denied.message).toContain('say why you add these numbers');
    expect(lastDecision('get-sum')).toMatchObject({ result: 'deny', policies: ['sum-needs-reason'] });

    const allowed = await call('get-sum', { a: 2, b: 40 }, { _meta: { [REASON_META_KEY]: 'checking the gateway' } });
    expect(JSON.stringify(allowed.content)).toContain('42');
    expect(lastDecision('get-sum')).toMatchObject({ result: 'allow', policies: ['use-named-tools'] });
  });

  it('refuses a tool that only a glob names: it has no Cedar action (fail closed)', async () => {
    const denied = await refusal(call('trigger-long-running-operation', { duration: 0.1, steps: 1 }));
    expect(denied.code).toBe(-32003);
    expect(lastDecision('trigger-long-running-operation')).toMatchObject({ result: 'deny' });
  });
});

describe('gateway.yaml rate_limits:', () => {
  it('lets Alice echo twice an hour, then answers with a retry hint', async () => {
    for (const message of ['one', 'two']) expect(await call('echo', { message })).toMatchObject({ content: [{ type: 'text', text: `Echo: ${message}` }] });
    const limited = await refusal(call('echo', { message: 'three' }));
    expect(limited.code).toBe(RATE_LIMITED);
    expect(limited.message).toMatch(/Rate limit exceeded: 2 calls of echo per 3600 s/);
    expect((limited.data as { retryAfter: number }).retryAfter).toBeGreaterThan(0);
    expect(lastDecision('echo')).toMatchObject({ result: 'deny' });
  });
});

describe('gateway.yaml approvals:', () => {
  it('a client without URL elicitation gets the approval link as a JSON-RPC error, never a silent allow', async () => {
    const held = await refusal(call('get-env', {}));
    expect(held.code).toBe(MISSING_REQUIRED_CLIENT_CAPABILITY);
    expect((held.data as { approvalUrl: string }).approvalUrl.startsWith(`${gatehouse.issuer}/approvals/`)).toBe(true);
  });

  it('holds the call, the person approves in the browser, and the retried call reaches the upstream once', async () => {
    const first = await call('get-env', {}, { _meta: URL_ELICITATION });
    expect(first).toMatchObject({ resultType: 'input_required', inputRequests: { approval: { method: 'elicitation/create', params: { mode: 'url' } } } });
    const url = first.inputRequests.approval.params.url as string;

    const page = await (await browser.newContext()).newPage();
    try {
      await page.goto(`${gatehouse.issuer}/login`);
      await page.getByLabel(/e-?mail/i).fill(ALICE.email);
      await page.getByRole('button', { name: /^continue/i }).click();
      await page.getByLabel(/password/i).fill(ALICE.password);
      await Promise.all([page.waitForURL(/.*/), page.getByRole('button', { name: /sign in/i }).click()]);
      await page.goto(url);
      expect(await page.locator('main').innerText()).toContain('get-env');
      await page.getByRole('button', { name: 'Approve this call' }).click();
      expect(await page.getByRole('status').textContent()).toMatch(/Approved/);
    } finally {
      await page.context().close();
    }

    const retry = { _meta: URL_ELICITATION, requestState: first.requestState, inputResponses: { approval: { result: { action: 'accept' } } } };
    const ran = await call('get-env', {}, retry);
    expect(JSON.stringify(ran.content)).toContain('PATH');
    const replayed = await refusal(call('get-env', {}, retry));
    expect(replayed.code).toBe(-32003);
    expect(replayed.message).toMatch(/already used/);
  });
});

describe('gateway.yaml runtime authorization mistakes stop startup with file, line and reason', () => {
  const base = (extra: string) => `issuer: https://auth.acme.test
gateway:
  public_url: https://mcp.acme.test
introspection:
  client_id: acme-gateway
  client_secret: gateway-secret-0123456789abcdef
upstreams:
  - name: files
    path: /files/mcp
    organizations: [org_acme]
    scopes: [files:read]
    stdio:
      command: npx
    policy:
      tools:
        - { name: read_file, scopes: [files:read] }
${extra}`;
  const problems = async (text: string): Promise<string> =>
    parseGatewayFile(text, 'gateway.yaml', {}, dir)
      .create()
      .then(
        async (built) => {
          await built.close();
          return '';
        },
        (error: Error) => error.message,
      );

  it('a Cedar policy naming an action the upstream does not have', async () => {
    writeFileSync(join(dir, 'bad.cedar'), '@id("bad")\nforbid (principal, action == Action::"tool:write_file", resource);\n');
    expect(await problems(base('    cedar:\n      files: [bad.cedar]\n'))).toMatch(
      /^gateway\.yaml:18:7: upstreams\[0\]\.cedar: the Cedar policies do not load: .*bad\.cedar:2 \(policy bad\): .*tool:write_file/,
    );
  });

  it('a Cedar file that does not exist, and an approval key that is not set', async () => {
    const message = await problems(base('    cedar:\n      files: [missing.cedar]\n    approvals:\n      state_key_env: NOT_SET_KEY\n      tools: { read_file: {} }\n'));
    expect(message).toMatch(/upstreams\[0\]\.cedar: the Cedar policies do not load: .*missing\.cedar/);
    expect(message).toMatch(/upstreams\[0\]\.approvals\.state_key_env: environment variable NOT_SET_KEY is not set/);
  });
});
