/**
 * The official MCP TypeScript SDK client, unmodified, against a real
 * listening Gatehouse: it meets a 401 at the MCP server, discovers the
 * protected resource metadata (RFC 9728) and the authorization server
 * metadata (RFC 8414), identifies itself by a Client ID Metadata Document or
 * registers by RFC 7591, sends the person through login and consent (headless
 * Chromium), redeems the code with PKCE, calls tools/list and refreshes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { authorizeInBrowser, launchBrowser } from '../support/browser.ts';
import { listen, type Listening } from '../support/listen.ts';
import { RecordingOAuthProvider } from '../support/mcp-client-provider.ts';
import { mcpResourceServer, storeBearerVerifier } from '../support/mcp-resource-server.ts';
import { startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';
import { selfSignedLoopbackCertificate } from '../support/tls.ts';

const REDIRECT_URL = 'http://127.0.0.1:8977/oauth/callback';

let mcp: Listening;
let resourceUri: string;
let mcpRequests: string[];
/** `METHOD URL STATUS` of every request the SDK client made, in order. */
const clientRequests: string[] = [];
const recordingFetch: FetchLike = async (url, init) => {
  const response = await fetch(url, init);
  clientRequests.push(`${init?.method ?? 'GET'} ${String(url)} ${response.status}`);
  return response;
};
let gatehouse: TestGatehouse;
let browser: Browser;

beforeAll(async () => {
  mcp = await listen();
  resourceUri = `${mcp.origin}/mcp`;
  gatehouse = await startTestGatehouse({ resourceUri, server: { cimd: { allowLoopback: true } } });
  const handler = mcpResourceServer({
    resourceUri,
    issuer: gatehouse.issuer,
    scopesSupported: gatehouse.model.scopes,
    challengeScopes: ['tickets:read'],
    verify: storeBearerVerifier(gatehouse.store, resourceUri),
  });
  mcpRequests = [];
  mcp.handle(async (request) => {
    const response = await handler(request);
    mcpRequests.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`);
    return response;
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await mcp?.close();
  await gatehouse?.close();
});

async function connect(provider: RecordingOAuthProvider) {
  const client = new Client({ name: 'gatehouse-e2e-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(resourceUri), { authProvider: provider, fetch: recordingFetch });
  await client.connect(transport);
  return { client, transport };
}

/** First contact (401 → discovery → authorization URL), the browser step, then finishAuth with the code. */
async function signIn(provider: RecordingOAuthProvider): Promise<URL> {
  const transport = new StreamableHTTPClientTransport(new URL(resourceUri), { authProvider: provider, fetch: recordingFetch });
  const client = new Client({ name: 'gatehouse-e2e-client', version: '1.0.0' });
  await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const authorizationUrl = provider.authorizationUrls.at(-1);
  if (!authorizationUrl) throw new Error('the SDK never asked to open an authorization URL');
  const { alice } = gatehouse.model;
  const callback = await authorizeInBrowser(browser, authorizationUrl, REDIRECT_URL, { email: alice.email, password: alice.password });
  // The SDK leaves state and iss to the application: check them as a careful client does.
  expect(callback.searchParams.get('state')).toBe(provider.expectedState);
  expect(callback.searchParams.get('iss')).toBe(gatehouse.issuer);
  await transport.finishAuth(callback.searchParams.get('code') ?? '');
  return authorizationUrl;
}

async function listToolNames(provider: RecordingOAuthProvider): Promise<string[]> {
  const { client } = await connect(provider);
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

describe('MCP SDK client with dynamic client registration (RFC 7591)', () => {
  it('discovers, registers, signs in with PKCE and the resource indicator, lists tools and refreshes', async () => {
    mcpRequests.length = 0;
    clientRequests.length = 0;
    const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SDK e2e (DCR)' });
    const authorizationUrl = await signIn(provider);

    // MCP: 401 with resource_metadata, then the PRM document at the path-inserted well-known URI.
    expect(mcpRequests.slice(0, 2)).toEqual(['POST /mcp 401', 'GET /.well-known/oauth-protected-resource/mcp 200']);
    const issuer = gatehouse.issuer;
    expect(clientRequests).toContain(`GET ${issuer}/.well-known/oauth-authorization-server 200`);
    expect(clientRequests).toContain(`POST ${issuer}/register 201`);
    expect(clientRequests).toContain(`POST ${issuer}/token 200`);
    expect(provider.clientInfo?.client_id).toMatch(/\S/);
    const params = authorizationUrl.searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('resource')).toBe(resourceUri);
    expect(params.get('scope')).toBe('tickets:read');

    expect(await listToolNames(provider)).toEqual(['list_tickets']);

    const before = provider.tokens();
    expect(before?.refresh_token).toBeTruthy();
    expect(await auth(provider, { serverUrl: resourceUri, fetchFn: recordingFetch })).toBe('AUTHORIZED');
    const after = provider.tokens();
    expect(after?.access_token).not.toBe(before?.access_token);
    expect(after?.refresh_token).not.toBe(before?.refresh_token);
    expect(await listToolNames(provider)).toEqual(['list_tickets']);
  });
});

describe('MCP SDK client with a Client ID Metadata Document (CIMD)', () => {
  it('uses its metadata document URL as client_id without registering, signs in and lists tools', async () => {
    const tls = selfSignedLoopbackCertificate();
    const documents = await listen(undefined, { tls });
    const clientId = `${documents.origin}/clients/sdk-e2e.json`;
    let documentFetches = 0;
    documents.handle(() => {
      documentFetches += 1;
      return Response.json(
        { client_id: clientId, client_name: 'SDK e2e (CIMD)', redirect_uris: [REDIRECT_URL], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' },
        { headers: { 'cache-control': 'max-age=60' } },
      );
    });
    // The SDK only sends an https document URL, so the document is served over https with a
    // throwaway self-signed certificate; Gatehouse's fetcher must accept it in this test only.
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      clientRequests.length = 0;
      const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SDK e2e (CIMD)', clientMetadataUrl: clientId });
      const authorizationUrl = await signIn(provider);
      expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId);
      expect(clientRequests.filter((line) => line.includes('/register'))).toEqual([]);
      expect(documentFetches, 'Gatehouse fetched the metadata document').toBeGreaterThan(0);
      expect(provider.tokens()?.access_token).toBeTruthy();
      expect(await listToolNames(provider)).toEqual(['list_tickets']);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      await documents.close();
    }
  });
});
