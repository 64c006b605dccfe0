/**
 * Issue 15 "Must show": the example company's Cedar policies
 * (examples/internal-company/policies, referenced from gatehouse.yaml)
 * enforced end to end. The REAL Gatehouse, the demo MCP server with
 * cedarPolicy after the scope check, the official MCP SDK client after a
 * browser login; the policy's clock is injected. Every decision lands in
 * the hash-chained audit log naming the policy that decided.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomToken } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { auditDecisions, orgAuditReader, type AuditRecord } from '@gatehouse-auth/audit';
import { cedarPolicy, policyProjects, readPolicyFiles, REASON_META_KEY } from '@gatehouse-auth/policy';
import { apply, loadConfigFile, startGatehouse, type GatehouseConfig, type RunningGatehouse } from '@gatehouse-auth/cli';
import { companyDirectory, seedCompanyData, startInternalCompanyServer, ticketOwnership, type RunningInternalCompanyServer } from '../src/index.ts';
import { launchChromium, loginAndConsent, type Person } from './support/browser.ts';
import { TestOAuthProvider } from './support/oauth-provider.ts';
import { acmeId, pointedAt, resourceServerCredentials } from './support/company-config.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const CONFIG_PATH = fileURLToPath(new URL('../gatehouse.yaml', import.meta.url));
const REDIRECT = 'http://127.0.0.1:8979/oauth/callback';
const HANA: Person = { email: 'hana@acme.test', password: 'hana-dev-password' };
const SAM: Person = { email: 'sam@acme.test', password: 'sam-dev-password' };
/** 2026-03-02 is a Monday; Berlin is UTC+1 in March. */
const BERLIN_10 = Date.parse('2026-03-02T10:00:00+01:00');
const BERLIN_22 = Date.parse('2026-03-02T22:00:00+01:00');

let store: Store;
let config: GatehouseConfig;
let gatehouse: RunningGatehouse;
let company: RunningInternalCompanyServer;
let browser: Browser;
let acme: string;
let now = BERLIN_10;
const ran: string[] = [];

beforeAll(async () => {
  store = await createStore('sqlite::memory:');
  config = await loadConfigFile(CONFIG_PATH);
  gatehouse = await startGatehouse({ store, config, adminKey: randomToken(), options: { loginThrottle: { perAccount: 50, perIp: 500, windowSeconds: 60 } } });
  acme = await acmeId(store);
  const [project] = policyProjects(config, CONFIG_PATH);
  const data = seedCompanyData();
  company = await startInternalCompanyServer({
    port: 0,
    issuer: gatehouse.issuer,
    introspection: resourceServerCredentials(config),
    organizations: [acme],
    data,
    policy: cedarPolicy({
      policies: readPolicyFiles(project!.files),
      model: project!.model,
      timeZone: project!.timeZone,
      clock: { now: () => now },
      userAttributes: companyDirectory(data),
      ownership: ticketOwnership(data),
    }),
    onDecision: auditDecisions(gatehouse.audit!),
    onToolRun: (tool) => ran.push(tool),
  });
  await apply(store, pointedAt(config, company.resource), { events: gatehouse.events });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await company?.close();
  await gatehouse?.close();
  await store?.close();
});

async function signedIn(person: Person): Promise<Client> {
  const provider = new TestOAuthProvider(REDIRECT, `cedar ${person.email}`);
  const transport = new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider });
  await expect(new Client({ name: 'e2e', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const callback = await loginAndConsent(browser, provider.authorizationUrls.at(-1)!, REDIRECT, person);
  await transport.finishAuth(callback.searchParams.get('code') ?? '');
  const client = new Client({ name: 'e2e', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider }));
  return client;
}

const lastDecision = async (tool: string): Promise<AuditRecord> => {
  const page = await orgAuditReader(store.audit, acme).query({ type: 'authz.decision', tool, limit: 1 });
  return page.records[0]!;
};

describe('Cedar policies enforced end to end with the official MCP client (issue 15)', () => {
  it('the same HR user reading a private record: allowed at 10:00 with a reason, denied at 22:00, denied without a reason; each audit record names the deciding policy', async () => {
    const hana = await signedIn(HANA);
    const read = (reason?: string) => hana.callTool({ name: 'employee_information_private', arguments: { employee_id: 'e-102' }, ...(reason ? { _meta: { [REASON_META_KEY]: reason } } : {}) });

    now = BERLIN_10;
    ran.length = 0;
    const allowed = await read('annual salary review');
    expect(allowed.isError).toBeFalsy();
    expect(JSON.stringify(allowed.content)).toContain('180000');
    expect(ran).toEqual(['employee_information_private']);
    const allowRecord = await lastDecision('employee_information_private');
    expect(allowRecord).toMatchObject({ result: 'success', details: { decidedBy: 'scope_and_policy', policies: ['members-use-consented-tools'] } });

    now = BERLIN_22;
    ran.length = 0;
    await expect(read('annual salary review')).rejects.toThrow(/Forbidden: private employee records are available Monday to Friday, 09:00-18:00/);
    expect(ran).toEqual([]);
    const lateRecord = await lastDecision('employee_information_private');
    expect(lateRecord).toMatchObject({
      result: 'denied',
      details: { decidedBy: 'policy', policies: ['private-records-business-hours'], policyInputs: { 'context.hour': 22, 'context.weekday': 1 } },
    });

    now = BERLIN_10;
    await expect(read()).rejects.toThrow(/Forbidden: state why you need this private record/);
    expect(ran).toEqual([]);
    expect(await lastDecision('employee_information_private')).toMatchObject({ result: 'denied', details: { policies: ['private-records-need-reason'] } });

    const again = await read('payroll correction');
    expect(again.isError).toBeFalsy();
    expect(ran).toEqual(['employee_information_private']);
    expect(await lastDecision('employee_information_private')).toMatchObject({ result: 'success', details: { policies: ['members-use-consented-tools'] } });
    await hana.close();
  });

  it("Support updates a ticket of its own team, and is refused another team's ticket, the handler never running", async () => {
    now = BERLIN_10;
    const sam = await signedIn(SAM);
    ran.length = 0;
    const own = await sam.callTool({ name: 'update_ticket', arguments: { ticketId: 'T-1', reply: 'on it' } });
    expect(own.isError).toBeFalsy();
    expect(ran).toEqual(['update_ticket']);
    await expect(sam.callTool({ name: 'update_ticket', arguments: { ticketId: 'T-2', reply: 'mine now' } })).rejects.toThrow(/Forbidden: Support may only update tickets assigned to their team/);
    expect(ran).toEqual(['update_ticket']);
    expect(await lastDecision('update_ticket')).toMatchObject({
      result: 'denied',
      params: { ticketId: 'T-2', reply: 'mine now' },
      details: { policies: ['support-updates-own-team-tickets'], policyInputs: { 'context.ownerTeam': 'Billing', 'principal.team': 'Support' } },
    });
    await sam.close();
  });
});
