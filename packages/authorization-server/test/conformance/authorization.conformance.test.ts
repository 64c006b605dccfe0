/**
 * The MCP conformance suite's authorization-server scenarios against a real
 * listening Gatehouse (docs/conformance.md): metadata endpoint, then the
 * authorization code grant with the login and consent pages driven in
 * headless Chromium. Zero failures and zero warnings are required, for an
 * issuer without and with a path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserLogin, launchBrowser } from '../support/browser.ts';
import { CONFORMANCE_PACKAGE, runAuthorizationConformance, type ConformanceRun } from '../support/conformance-cli.ts';
import { reserveFreePort } from '../support/listen.ts';
import { registerTestClient } from '../support/seed.ts';
import { DEFAULT_TEST_RESOURCE, startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';

const CLIENT_ID = 'mcp-conformance-cli';
// The first run downloads Node 22 and the suite through npx; the CLI itself waits up to 5 minutes.
const RUN_TIMEOUT_MS = 6 * 60_000;
const SCENARIOS = ['authorization-code-grant', 'authorization-server-metadata-endpoint'];

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each([
  { issuer: 'an issuer without a path', issuerPath: undefined },
  { issuer: 'an issuer with a path (RFC 8414 §3.1)', issuerPath: '/tenant-a' },
])(`MCP conformance suite (${CONFORMANCE_PACKAGE}), authorization server scenarios, $issuer`, ({ issuerPath }) => {
  let gatehouse: TestGatehouse;
  let run: ConformanceRun;

  beforeAll(async () => {
    gatehouse = await startTestGatehouse(issuerPath ? { issuerPath } : {});
    const callbackPort = await reserveFreePort();
    const callback = `http://127.0.0.1:${callbackPort}/callback`;
    await registerTestClient(gatehouse.store, { id: CLIENT_ID, name: 'MCP conformance suite', redirectUris: [callback] });
    run = await runAuthorizationConformance({
      issuer: gatehouse.issuer,
      authorizationEndpoint: `${gatehouse.issuer}/authorize`,
      clientId: CLIENT_ID,
      resource: DEFAULT_TEST_RESOURCE,
      callbackPort,
      timeoutMs: RUN_TIMEOUT_MS,
      async onAuthorizationUrl(url) {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          await page.goto(url);
          const { alice } = gatehouse.model;
          await browserLogin(page, { email: alice.email, password: alice.password, until: (at) => at.startsWith(callback) });
        } finally {
          await context.close();
        }
      },
    });
  }, RUN_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await gatehouse?.close();
  });

  const explain = () => `conformance CLI output:\n${run.output}\nGatehouse log:\n${gatehouse.logs.join('\n')}`;
  const notSucceeded = (scenario: string) => (run.scenarios[scenario] ?? []).filter((check) => check.status !== 'SUCCESS');

  it('exits with status 0 (no failed check)', () => {
    expect(run.exitCode, explain()).toBe(0);
  });

  it('ran exactly the scenarios this suite version defines for an authorization server', () => {
    expect(Object.keys(run.scenarios).sort(), explain()).toEqual(SCENARIOS);
  });

  it('authorization-server-metadata-endpoint: every check succeeds, including client_id_metadata_document_supported (no warning)', () => {
    expect(run.scenarios['authorization-server-metadata-endpoint']?.length, explain()).toBeGreaterThanOrEqual(2);
    expect(notSucceeded('authorization-server-metadata-endpoint'), explain()).toEqual([]);
  });

  it('authorization-code-grant: browser login and consent, code with state and iss, token response all succeed', () => {
    expect(run.scenarios['authorization-code-grant']?.length, explain()).toBeGreaterThanOrEqual(1);
    expect(notSucceeded('authorization-code-grant'), explain()).toEqual([]);
  });
});
