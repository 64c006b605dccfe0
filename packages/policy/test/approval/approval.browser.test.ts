/**
 * Per-call human approval end to end (issue 15 item 4, "Must show"): a real
 * listening Gatehouse, a resource server built with @gatehouse-auth/mcp and
 * this package's approval gate, tokens from a real authorization code flow,
 * and the person deciding in headless Chromium at the approval page.
 *
 * The client side is driven with fetch: the official SDK client 1.32.2 has
 * no multi-round-trip support (it neither reads `inputRequests` nor sends
 * `requestState`), and its server transport speaks up to 2025-11-25, so the
 * MCP 2026-07-28 MRTR fields travel in a 2025-11-25 request, exactly as a
 * 2026-07-28 client puts them in `params`.
 *
 * Every refusal is checked twice: what the client sees (the JSON-RPC
 * error) and that the tool's handler never ran (`runs`).
 */
import { randomBytes } from 'node:crypto';
import { GatedMcpServer, protectMcpServer, requireScopes, type DecisionRecord, type ProtectedMcp } from '@gatehouse-auth/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../../authorization-server/test/support/browser.ts';
import { listen, type Listening } from '../../../authorization-server/test/support/listen.ts';
import { codeFlowOn, registerClients } from '../../../authorization-server/test/support/oauth4webapi-flow.ts';
import { registerTestClient, TEST_SCOPES } from '../../../authorization-server/test/support/seed.ts';
import { startTestGatehouse, type SeededPerson, type TestGatehouse } from '../../../authorization-server/test/support/test-gatehouse.ts';
import { approvalGate, gatehouseApprovals, MISSING_REQUIRED_CLIENT_CAPABILITY } from '../../src/index.ts';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Awaited<ReturnType<Browser['newContext']>>['newPage']>>;

const RS_CLIENT = { id: 'approvals-rs', secret: `rs-secret-${randomBytes(12).toString('hex')}` };
const TOOL = 'export_tickets';
/** Four eyes: the person the agent acts for may not approve it themself. */
const FOUR_EYES_TOOL = 'close_all_tickets';
const URL_ELICITATION = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } } };

let gatehouse: TestGatehouse;
let browser: Browser;
let listening: Listening;
let mcp: ProtectedMcp;
let aliceToken: string;
let bobToken: string;
/** How many times the tool's handler ran: the proof that a refused call did not. */
let runs = 0;
/** Added to the resource server's clock: the injected clock of the expiry test. */
let skewMs = 0;
const decisions: DecisionRecord[] = [];

beforeAll(async () => {
  gatehouse = await startTestGatehouse();
  await registerClients(gatehouse);
  await registerTestClient(gatehouse.store, {
    id: RS_CLIENT.id,
    name: 'Approvals RS',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    secret: RS_CLIENT.secret,
    resourceServerFor: [gatehouse.model.resourceUri],
  });
  browser = await launchBrowser();
  aliceToken = (await codeFlowOn(browser, gatehouse, { scope: 'tickets:read' })).tokens.access_token;
  bobToken = (await codeFlowOn(browser, gatehouse, { scope: 'tickets:read', person: gatehouse.model.bob, browserSteps: { org: 'Acme Corp' } })).tokens.access_token;

  const server = new GatedMcpServer({ name: 'acme-exports', version: '1.0.0' });
  for (const name of [TOOL, FOUR_EYES_TOOL]) {
    server.registerTool(name, { description: `${name} (needs approval)`, requires: requireScopes('tickets:read') }, async () => {
      runs++;
      return { content: [{ type: 'text', text: `${name} ${runs} done` }] };
    });
  }
  listening = await listen();
  mcp = protectMcpServer({
    server,
    issuer: gatehouse.issuer,
    resource: gatehouse.model.resourceUri,
    scopesSupported: TEST_SCOPES,
    organizations: [gatehouse.model.orgId],
    introspection: { clientId: RS_CLIENT.id, clientSecret: RS_CLIENT.secret },
    clock: { now: () => Date.now() + skewMs },
    onDecision: (record) => {
      decisions.push(record);
    },
    callGates: [
      approvalGate({
        authority: gatehouseApprovals({ issuer: gatehouse.issuer, clientId: RS_CLIENT.id, clientSecret: RS_CLIENT.secret }),
        stateKey: randomBytes(32).toString('base64url'),
        // Seed 004: Management approves another employee's export.
        requires: { [TOOL]: { approverRoles: ['Management'] }, [FOUR_EYES_TOOL]: { approverRoles: ['Management'], selfApproval: false } },
      }),
    ],
  });
  listening.handle((request) => mcp.fetch(request));
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await listening?.close();
  await browser?.close();
  await gatehouse?.close();
});

interface CallOptions {
  tool?: string;
  token?: string;
  args?: Record<string, unknown>;
  requestState?: string;
  inputResponses?: Record<string, unknown>;
  /** Declare URL elicitation in this request's capabilities (default true). */
  urlElicitation?: boolean;
}

let nextId = 1;
async function callTool(options: CallOptions = {}): Promise<{ result?: Record<string, any>; error?: { code: number; message: string; data?: any } }> {
  const params: Record<string, unknown> = { name: options.tool ?? TOOL, arguments: options.args ?? { quarter: 'Q3' }, ...(options.urlElicitation === false ? {} : { _meta: URL_ELICITATION }) };
  if (options.requestState !== undefined) params.requestState = options.requestState;
  if (options.inputResponses !== undefined) params.inputResponses = options.inputResponses;
  const response = await fetch(`${listening.origin}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token ?? aliceToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { result?: Record<string, any>; error?: { code: number; message: string } };
}

/** The first round trip: the call is held with an input request carrying a URL elicitation. */
async function held(options: CallOptions = {}): Promise<{ url: string; state: string }> {
  const before = runs;
  const answer = await callTool(options);
  expect(answer.error).toBeUndefined();
  expect(answer.result).toMatchObject({ resultType: 'input_required', inputRequests: { approval: { method: 'elicitation/create', params: { mode: 'url' } } } });
  expect(typeof answer.result!.requestState).toBe('string');
  expect(runs).toBe(before);
  const url = answer.result!.inputRequests.approval.params.url as string;
  expect(url.startsWith(`${gatehouse.issuer}/approvals/`)).toBe(true);
  return { url, state: answer.result!.requestState as string };
}

const accepted = { approval: { result: { action: 'accept' } } };

async function signedIn(person: SeededPerson): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${gatehouse.issuer}/login`);
  await page.getByLabel(/e-?mail/i).fill(person.email);
  // Email first (issue 13), then the password step.
  await page.getByRole('button', { name: /^continue/i }).click();
  await page.getByLabel(/password/i).fill(person.password);
  await Promise.all([page.waitForURL(/.*/), page.getByRole('button', { name: /sign in/i }).click()]);
  await page.getByRole('status').waitFor();
  return page;
}

/** Opens the approval page as `person` and presses the button; returns the page's status line. */
async function decide(person: SeededPerson, url: string, button: 'Approve this call' | 'Deny'): Promise<string> {
  const page = await signedIn(person);
  try {
    await page.goto(url);
    await page.getByRole('button', { name: button }).click();
    await page.getByRole('status').waitFor();
    return (await page.getByRole('status').textContent()) ?? '';
  } finally {
    await page.context().close();
  }
}

describe('per-call approval in the browser (MCP 2026-07-28 MRTR + URL elicitation)', () => {
  it('holds the call, shows the person the tool, the arguments and the agent, and runs the approved retry exactly once', async () => {
    const args = { quarter: 'Q3', format: 'csv' };
    const { url, state } = await held({ args });
    const page = await signedIn(gatehouse.model.alice);
    await page.goto(url);
    const shown = await page.locator('main').innerText();
    expect(shown).toContain(TOOL);
    expect(shown).toContain('E2E e2e-web-app');
    expect(shown).toContain(gatehouse.model.alice.email);
    expect(await page.getByLabel('Arguments').innerText()).toBe(JSON.stringify(args, null, 2));
    await page.getByRole('button', { name: 'Approve this call' }).click();
    expect(await page.getByRole('status').textContent()).toMatch(/Approved/);
    await page.context().close();

    const before = runs;
    const retried = await callTool({ args, requestState: state, inputResponses: accepted });
    expect(retried.error).toBeUndefined();
    expect(retried.result).toMatchObject({ content: [{ type: 'text' }] });
    expect(runs).toBe(before + 1);

    // The same state again: a replayed approval.
    const replay = await callTool({ args, requestState: state, inputResponses: accepted });
    expect(replay.error).toMatchObject({ code: -32003, message: expect.stringMatching(/already used/) });
    expect(runs).toBe(before + 1);
  });

  it('refuses the retry when the arguments changed after the approval; the handler never runs', async () => {
    const { url, state } = await held({ args: { quarter: 'Q3' } });
    expect(await decide(gatehouse.model.alice, url, 'Approve this call')).toMatch(/Approved/);
    const before = runs;
    const changed = await callTool({ args: { quarter: 'Q4' }, requestState: state, inputResponses: accepted });
    expect(changed.error).toMatchObject({ code: -32003, message: expect.stringMatching(/arguments changed/) });
    expect(runs).toBe(before);
  });

  it('refuses an approval that expired (injected clock: 5 minutes and 1 second later); the handler never runs', async () => {
    const { url, state } = await held();
    expect(await decide(gatehouse.model.alice, url, 'Approve this call')).toMatch(/Approved/);
    const before = runs;
    skewMs = 301_000;
    try {
      const late = await callTool({ requestState: state, inputResponses: accepted });
      expect(late.error).toMatchObject({ code: -32003, message: expect.stringMatching(/expired/) });
    } finally {
      skewMs = 0;
    }
    expect(runs).toBe(before);
  });

  it('refuses a modified request state and a forged one; the handler never runs', async () => {
    const { url, state } = await held();
    expect(await decide(gatehouse.model.alice, url, 'Approve this call')).toMatch(/Approved/);
    const before = runs;
    const bytes = Buffer.from(state, 'base64url');
    bytes[20] = bytes[20]! ^ 0x01;
    const modified = await callTool({ requestState: bytes.toString('base64url'), inputResponses: accepted });
    expect(modified.error).toMatchObject({ code: -32003, message: expect.stringMatching(/modified or forged/) });
    const forged = await callTool({ requestState: randomBytes(120).toString('base64url'), inputResponses: accepted });
    expect(forged.error).toMatchObject({ code: -32003, message: expect.stringMatching(/modified or forged/) });
    expect(runs).toBe(before);
    // The untouched state still works once: the refusals did not spend the approval.
    expect((await callTool({ requestState: state, inputResponses: accepted })).error).toBeUndefined();
    expect(runs).toBe(before + 1);
  });

  it("refuses an approval by a different user without the approver role (Alice on Bob's call); the call stays held", async () => {
    const { url, state } = await held({ token: bobToken });
    const page = await signedIn(gatehouse.model.alice);
    const review = await page.goto(url);
    expect(review?.status()).toBe(403);
    expect(await page.getByRole('button', { name: 'Approve this call' }).count()).toBe(0);
    await page.context().close();
    const before = runs;
    const retried = await callTool({ token: bobToken, requestState: state, inputResponses: accepted });
    expect(retried.result).toMatchObject({ resultType: 'input_required', requestState: state });
    expect(runs).toBe(before);
  });

  it("lets a holder of the approver role approve another employee's call (Management approves Alice's export)", async () => {
    const { url, state } = await held();
    expect(await decide(gatehouse.model.bob, url, 'Approve this call')).toMatch(/Approved/);
    const before = runs;
    expect((await callTool({ requestState: state, inputResponses: accepted })).error).toBeUndefined();
    expect(runs).toBe(before + 1);
  });

  it('four eyes: Bob cannot approve his own call of a four-eyes tool although he holds the approver role; the call stays held (another approver may: AS test)', async () => {
    const { url, state } = await held({ tool: FOUR_EYES_TOOL, token: bobToken });
    const page = await signedIn(gatehouse.model.bob);
    expect((await page.goto(url))?.status()).toBe(403);
    await page.context().close();
    const before = runs;
    expect((await callTool({ tool: FOUR_EYES_TOOL, token: bobToken, requestState: state, inputResponses: accepted })).result).toMatchObject({ resultType: 'input_required' });
    expect(runs).toBe(before);
  });

  it('refuses the retry of a denied call; the handler never runs', async () => {
    const { url, state } = await held();
    expect(await decide(gatehouse.model.alice, url, 'Deny')).toMatch(/Denied/);
    const before = runs;
    const retried = await callTool({ requestState: state, inputResponses: accepted });
    expect(retried.error).toMatchObject({ code: -32003, message: expect.stringMatching(/denied/) });
    expect(runs).toBe(before);
  });

  it('a model cannot approve for itself: the bearer token without the browser session and CSRF token decides nothing', async () => {
    const { url, state } = await held();
    const attempt = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
      redirect: 'manual',
    });
    expect(attempt.status).toBe(403);
    const before = runs;
    const retried = await callTool({ requestState: state, inputResponses: accepted });
    expect(retried.result).toMatchObject({ resultType: 'input_required' });
    expect(runs).toBe(before);
  });

  it('a client without URL elicitation gets a JSON-RPC error naming the approval page; after approval out of band the same call runs once', async () => {
    const before = runs;
    const first = await callTool({ urlElicitation: false, args: { quarter: 'Q1' } });
    expect(first.error).toMatchObject({ code: MISSING_REQUIRED_CLIENT_CAPABILITY, data: { requiredCapabilities: { elicitation: { url: {} } } } });
    const url = first.error!.data.approvalUrl as string;
    expect(first.error!.message).toContain(url);
    expect(runs).toBe(before);
    expect(await decide(gatehouse.model.alice, url, 'Approve this call')).toMatch(/Approved/);
    expect((await callTool({ urlElicitation: false, args: { quarter: 'Q1' } })).error).toBeUndefined();
    expect(runs).toBe(before + 1);
    const again = await callTool({ urlElicitation: false, args: { quarter: 'Q1' } });
    expect(again.error?.code).toBe(MISSING_REQUIRED_CLIENT_CAPABILITY);
    expect(runs).toBe(before + 1);
  });

  it('records every step: the resource server decisions and the audit records of requested, approved, denied, consumed and refused approvals', async () => {
    const reasons = decisions.map((record) => record.reason ?? '');
    expect(reasons.some((reason) => reason.startsWith('approval required'))).toBe(true);
    expect(reasons.some((reason) => /approval refused: the arguments changed/.test(reason))).toBe(true);
    const types = new Set<string>();
    for (const chain of await gatehouse.store.audit.chains()) for (const row of await gatehouse.store.audit.scan(chain, 0, 10_000)) types.add(row.type);
    for (const type of ['approval.requested', 'approval.approved', 'approval.denied', 'approval.consumed', 'approval.refused']) expect(types).toContain(type);
  });
});
