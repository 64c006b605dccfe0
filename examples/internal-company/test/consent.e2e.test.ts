/**
 * Consent that explains (issue 16, item 3), in headless Chromium against the
 * real Gatehouse and the demo MCP server: the consent screen lists under
 * each scope the tools it unlocks (a screenshot is kept in .test-artifacts/),
 * the required scope is locked, and a person who unticks a non-required
 * scope gives the agent a token whose tools/list (official MCP SDK client)
 * lacks exactly that scope's tools; calling one is refused.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomToken } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { apply, loadConfigFile, startGatehouse, type GatehouseConfig, type RunningGatehouse } from '@gatehouse-auth/cli';
import { startInternalCompanyServer, TOOL_SCOPES, type RunningInternalCompanyServer } from '../src/index.ts';
import { launchChromium } from './support/browser.ts';
import { TestOAuthProvider } from './support/oauth-provider.ts';
import { acmeId, pointedAt, resourceServerCredentials } from './support/company-config.ts';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const REDIRECT = 'http://127.0.0.1:8981/oauth/callback';
const ARTIFACTS = fileURLToPath(new URL('../../../.test-artifacts/', import.meta.url));
const SCREENSHOT = `${ARTIFACTS}consent.png`;
// Maria (Management) may grant these five; she unticks analytics.
const MARIA_SCOPES = ['employees:read:public', 'employees:read:private', 'finance:read:revenue', 'analytics:read:all', 'customers:read:summary'];
const UNTICKED = 'analytics:read:all';

let store: Store;
let config: GatehouseConfig;
let gatehouse: RunningGatehouse;
let company: RunningInternalCompanyServer;
let browser: Browser;

beforeAll(async () => {
  store = await createStore('sqlite::memory:');
  config = await loadConfigFile(fileURLToPath(new URL('../gatehouse.yaml', import.meta.url)));
  gatehouse = await startGatehouse({ store, config, adminKey: randomToken(), options: { loginThrottle: { perAccount: 50, perIp: 500, windowSeconds: 60 } } });
  company = await startInternalCompanyServer({ port: 0, issuer: gatehouse.issuer, introspection: resourceServerCredentials(config), organizations: [await acmeId(store)] });
  await apply(store, pointedAt(config, company.resource), { events: gatehouse.events });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await company?.close();
  await gatehouse?.close();
  await store?.close();
});

const toolsOf = (scopes: string[]) =>
  Object.entries(TOOL_SCOPES)
    .filter(([, scope]) => scopes.includes(scope))
    .map(([tool]) => tool)
    .sort();

describe('Consent that explains (issue 16): the screen lists what each scope unlocks, and unticking one removes those tools', () => {
  it('lists the tools under each scope, locks the required one, and an unticked scope’s tools are gone from tools/list and refused', async () => {
    const provider = new TestOAuthProvider(REDIRECT, 'e2e consent');
    const transport = new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider });
    await expect(new Client({ name: 'e2e', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);

    const context = await browser.newContext();
    const page = await context.newPage();
    let reached: string | undefined;
    page.on('request', (request) => {
      if (!reached && request.isNavigationRequest() && request.url().startsWith(REDIRECT)) reached = request.url();
    });
    await page.goto(provider.authorizationUrls.at(-1)!.href);
    await page.getByLabel(/e-?mail/i).fill('maria@acme.test');
    // Email first (issue 13), then the password step.
    await page.getByRole('button', { name: /^continue/i }).click();
    await page.getByLabel(/password/i).fill('maria-dev-password');
    await Promise.all([page.waitForURL(/\/interaction\//), page.getByRole('button', { name: /^sign in/i }).click()]);
    await page.getByRole('button', { name: /^allow/i }).waitFor();

    // Under each scope Maria may grant: "Tools: <the tools that scope unlocks>".
    for (const scope of MARIA_SCOPES) {
      const item = page.getByRole('listitem').filter({ has: page.getByRole('checkbox', { name: new RegExp(scope) }) });
      await expect(item.getByRole('list', { name: 'Unlocks' }).innerText()).resolves.toBe(`Tools: ${toolsOf([scope]).join(', ')}`);
    }
    const required = page.getByRole('checkbox', { name: /employees:read:public/ });
    expect(await required.isChecked()).toBe(true);
    expect(await required.isDisabled()).toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`consent screen screenshot: ${SCREENSHOT}`);

    const optional = page.getByRole('checkbox', { name: new RegExp(UNTICKED) });
    expect(await optional.isDisabled()).toBe(false);
    await optional.uncheck();
    await Promise.all([page.waitForRequest((request) => request.url().startsWith(REDIRECT)), page.getByRole('button', { name: /^allow/i }).click()]);
    await context.close();

    const callback = new URL(reached ?? '');
    expect(callback.searchParams.get('error'), callback.search).toBeNull();
    await transport.finishAuth(callback.searchParams.get('code') ?? '');
    const granted = MARIA_SCOPES.filter((scope) => scope !== UNTICKED);
    expect(provider.tokens()?.scope?.split(' ').sort()).toEqual([...granted].sort());

    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider }));
    const listed = (await client.listTools()).tools.map((tool) => tool.name).sort();
    expect(listed).toEqual(toolsOf(granted));
    expect(toolsOf(MARIA_SCOPES).filter((tool) => !listed.includes(tool))).toEqual(toolsOf([UNTICKED]));
    const refused = await fetch(company.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${provider.tokens()!.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'analytics_overview', arguments: {} } }),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain(`error="insufficient_scope", scope="${UNTICKED}"`);
    await client.close();
  });
});
