/**
 * The MCP conformance suite's authorization-server scenarios against a real
 * listening Gatehouse (docs/conformance.md): metadata endpoint, then the
 * authorization code grant with the login and consent pages driven in
 * headless Chromium. Zero failures and zero warnings are required, for an
 * issuer without and with a path, and for the shipped example configuration.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startGatehouse } from '@gatehouse-auth/cli';
import type { Store } from '@gatehouse-auth/store';
import { browserLogin, launchBrowser } from '../support/browser.ts';
import { CONFORMANCE_PACKAGE, runAuthorizationConformance, type ConformanceRun } from '../support/conformance-cli.ts';
import { reserveFreePort } from '../support/listen.ts';
import { registerTestClient } from '../support/seed.ts';
import { DEFAULT_TEST_RESOURCE, startTestGatehouse } from '../support/test-gatehouse.ts';

const CLIENT_ID = 'mcp-conformance-cli';
// The first run downloads Node 22 and the suite through npx; the CLI itself waits up to 5 minutes.
const RUN_TIMEOUT_MS = 6 * 60_000;
const SCENARIOS = ['authorization-code-grant', 'authorization-server-metadata-endpoint'];
const EXAMPLE_CONFIG = fileURLToPath(new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url));

/** What a run needs from the Gatehouse under test. */
interface Target {
  issuer: string;
  store: Store;
  resource: string;
  person: { email: string; password: string };
  close(): Promise<void>;
}

const TARGETS: { name: string; start: () => Promise<Target> }[] = [
  { name: 'an issuer without a path', start: () => testTarget() },
  { name: 'an issuer with a path (RFC 8414 §3.1)', start: () => testTarget('/tenant-a') },
  {
    name: 'the shipped examples/internal-company/gatehouse.yaml',
    async start() {
      const running = await startGatehouse({ config: EXAMPLE_CONFIG, logLevel: 'silent' });
      // The example's Engineering member and its one MCP server (see the file).
      return { issuer: running.issuer, store: running.store, resource: 'http://127.0.0.1:4001/mcp', person: { email: 'eli@acme.test', password: 'eli-dev-password' }, close: () => running.close() };
    },
  },
];

async function testTarget(issuerPath?: string): Promise<Target> {
  const gatehouse = await startTestGatehouse(issuerPath ? { issuerPath } : {});
  return { issuer: gatehouse.issuer, store: gatehouse.store, resource: DEFAULT_TEST_RESOURCE, person: gatehouse.model.alice, close: () => gatehouse.close() };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(TARGETS)(`MCP conformance suite (${CONFORMANCE_PACKAGE}), authorization server scenarios, $name`, ({ start }) => {
  let target: Target;
  let run: ConformanceRun;

  beforeAll(async () => {
    target = await start();
    const callbackPort = await reserveFreePort();
    const callback = `http://127.0.0.1:${callbackPort}/callback`;
    await registerTestClient(target.store, { id: CLIENT_ID, name: 'MCP conformance suite', redirectUris: [callback] });
    run = await runAuthorizationConformance({
      issuer: target.issuer,
      authorizationEndpoint: `${target.issuer}/authorize`,
      clientId: CLIENT_ID,
      resource: target.resource,
      callbackPort,
      timeoutMs: RUN_TIMEOUT_MS,
      async onAuthorizationUrl(url) {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          await page.goto(url);
          await browserLogin(page, { ...target.person, until: (at) => at.startsWith(callback) });
        } finally {
          await context.close();
        }
      },
    });
  }, RUN_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await target?.close();
  });

  const explain = () => `conformance CLI output:\n${run.output}`;
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
