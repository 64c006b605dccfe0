/**
 * The demo server verifying RFC 9068 JWT access tokens from the REAL
 * Gatehouse (access_token_format: jwt) locally against its JWKS: the
 * official client signs in, the per-role tool list holds, and a revocation
 * at the AS still reaches the MCP server at once through the stream.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { apply, loadConfigFile, startGatehouse, type GatehouseConfig, type RunningGatehouse } from '@gatehouse-auth/cli';
import { startInternalCompanyServer, type RunningInternalCompanyServer } from '../src/index.ts';
import { launchChromium, loginAndConsent } from './support/browser.ts';
import { TestOAuthProvider } from './support/oauth-provider.ts';
import { acmeId, pointedAt, resourceServerCredentials } from './support/company-config.ts';

// A browser login on a shared, loaded 2-core machine can exceed the default 30 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const REDIRECT = 'http://127.0.0.1:8981/oauth/callback';
let gatehouse: RunningGatehouse;
let company: RunningInternalCompanyServer;
let browser: Browser;
let config: GatehouseConfig;

beforeAll(async () => {
  config = await loadConfigFile(fileURLToPath(new URL('../gatehouse.yaml', import.meta.url)));
  gatehouse = await startGatehouse({ config, options: { accessTokenFormat: 'jwt', loginThrottle: { perAccount: 50, perIp: 500, windowSeconds: 60 } } });
  company = await startInternalCompanyServer({ port: 0, issuer: gatehouse.issuer, jwt: true, introspection: resourceServerCredentials(config), organizations: [await acmeId(gatehouse.store)] });
  await apply(gatehouse.store, pointedAt(config, company.resource), { events: gatehouse.events });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await company?.close();
  await gatehouse?.close();
});

describe('RFC 9068 JWT access tokens from Gatehouse, verified locally by the SDK', () => {
  it('Engineering signs in, gets a JWT, sees its tools; revoking the JWT at the AS is enforced 1 s later', async () => {
    const provider = new TestOAuthProvider(REDIRECT, 'e2e jwt');
    const transport = new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider });
    await expect(new Client({ name: 'e2e', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const callback = await loginAndConsent(browser, provider.authorizationUrls.at(-1)!, REDIRECT, { email: 'eli@acme.test', password: 'eli-dev-password' });
    await transport.finishAuth(callback.searchParams.get('code') ?? '');
    const token = provider.tokens()!.access_token;
    expect(token.split('.')).toHaveLength(3);

    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider }));
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['employee_information_public', 'list_tickets', 'search_code']);
    await client.close();

    const call = () =>
      fetch(company.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_code', arguments: { query: 'vat' } } }),
      });
    expect((await call()).status).toBe(200);
    const revoked = await fetch(`${gatehouse.issuer}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: provider.clientInformation()!.client_id }),
    });
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await call();
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
