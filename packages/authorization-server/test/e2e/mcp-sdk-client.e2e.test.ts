/**
 * The official MCP TypeScript SDK client, unmodified, against a real
 * listening Gatehouse and an MCP server protected by @gatehouse-auth/mcp: the
 * client meets a 401 at the MCP server, discovers the protected resource
 * metadata (RFC 9728) and the authorization server metadata (RFC 8414),
 * identifies itself by a Client ID Metadata Document or registers by
 * RFC 7591, sends the person through login and consent (headless Chromium),
 * redeems the code with PKCE and the resource indicator, calls tools,
 * refreshes, steps up to a wider scope, and loses access when revoked.
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
import { registerTestClient } from '../support/seed.ts';
import { startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';
import { reserveTicketsServer, serveTickets, type TicketsServer } from '../support/tickets-mcp-server.ts';
import { selfSignedLoopbackCertificate } from '../support/tls.ts';

const REDIRECT_URL = 'http://127.0.0.1:8977/oauth/callback';
const INTROSPECTION_CLIENT = { clientId: 'acme-tickets-resource-server', clientSecret: 'acme-tickets-rs-secret-0123456789abcdef' };

let gatehouse: TestGatehouse;
let tickets: TicketsServer;
let browser: Browser;
/** `METHOD URL STATUS` of every request the SDK client made, in order. */
const clientRequests: string[] = [];
const recordingFetch: FetchLike = async (url, init) => {
  const response = await fetch(url, init);
  clientRequests.push(`${init?.method ?? 'GET'} ${String(url)} ${response.status}`);
  return response;
};

/** Gatehouse and an MCP server protected by it, introspecting with its own confidential client. */
async function startStack(issuerPath?: string): Promise<{ gatehouse: TestGatehouse; tickets: TicketsServer }> {
  const reserved = await reserveTicketsServer();
  const started = await startTestGatehouse({ resourceUri: reserved.resourceUri, server: { cimd: { allowLoopback: true } }, ...(issuerPath ? { issuerPath } : {}) });
  await registerTestClient(started.store, {
    id: INTROSPECTION_CLIENT.clientId,
    name: 'Acme tickets (resource server)',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    secret: INTROSPECTION_CLIENT.clientSecret,
    resourceServerFor: [reserved.resourceUri],
  });
  const organizations = [started.model.orgId, started.model.secondOrgId];
  return { gatehouse: started, tickets: serveTickets(reserved.listening, { issuer: started.issuer, introspection: INTROSPECTION_CLIENT, scopesSupported: started.model.scopes, organizations }) };
}

beforeAll(async () => {
  ({ gatehouse, tickets } = await startStack());
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await tickets?.close();
  await gatehouse?.close();
});

const newTransport = (provider: RecordingOAuthProvider) => new StreamableHTTPClientTransport(new URL(tickets.resourceUri), { authProvider: provider, fetch: recordingFetch });

async function connect(provider: RecordingOAuthProvider): Promise<Client> {
  const client = new Client({ name: 'gatehouse-e2e-client', version: '1.0.0' });
  await client.connect(newTransport(provider));
  return client;
}

/** Sends the person through the latest authorization URL and hands the code to the SDK. */
async function completeInBrowser(provider: RecordingOAuthProvider, transport: StreamableHTTPClientTransport, untick: string[] = []): Promise<URL> {
  const authorizationUrl = provider.authorizationUrls.at(-1);
  if (!authorizationUrl) throw new Error('the SDK never asked to open an authorization URL');
  const { alice } = gatehouse.model;
  const callback = await authorizeInBrowser(browser, authorizationUrl, REDIRECT_URL, { email: alice.email, password: alice.password, untick });
  // The SDK leaves state and iss to the application: check them as a careful client does.
  expect(callback.searchParams.get('state')).toBe(provider.expectedState);
  expect(callback.searchParams.get('iss')).toBe(gatehouse.issuer);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`authorization failed: ${callback.search}`);
  await transport.finishAuth(code);
  return authorizationUrl;
}

/** First contact: 401 → discovery → authorization URL → browser → finishAuth. */
async function signIn(provider: RecordingOAuthProvider): Promise<URL> {
  const transport = newTransport(provider);
  const client = new Client({ name: 'gatehouse-e2e-client', version: '1.0.0' });
  await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  return completeInBrowser(provider, transport);
}

async function toolNames(provider: RecordingOAuthProvider): Promise<string[]> {
  const client = await connect(provider);
  try {
    return (await client.listTools()).tools.map((tool) => tool.name).sort();
  } finally {
    await client.close();
  }
}

/** A raw JSON-RPC request with a bearer token, as any MCP client sends it. */
const rawCall = (token: string, method: string, params: Record<string, unknown> = {}) =>
  fetch(tickets.resourceUri, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });

describe('MCP SDK client with dynamic client registration (RFC 7591)', () => {
  let provider: RecordingOAuthProvider;

  it('discovers, registers, signs in with PKCE and the resource indicator, lists tools and refreshes', async () => {
    tickets.requests.length = 0;
    clientRequests.length = 0;
    provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SDK e2e (DCR)' });
    const authorizationUrl = await signIn(provider);

    // MCP: 401 with resource_metadata, then the PRM document at the path-inserted well-known URI.
    expect(tickets.requests.slice(0, 2)).toEqual(['POST /mcp 401', 'GET /.well-known/oauth-protected-resource/mcp 200']);
    const issuer = gatehouse.issuer;
    expect(clientRequests).toContain(`GET ${issuer}/.well-known/oauth-authorization-server 200`);
    expect(clientRequests).toContain(`POST ${issuer}/register 201`);
    expect(clientRequests).toContain(`POST ${issuer}/token 200`);
    expect(provider.clientInfo?.client_id).toMatch(/\S/);
    const params = authorizationUrl.searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('resource')).toBe(tickets.resourceUri);
    expect(params.get('scope')).toBe('tickets:read'); // the 401 challenge's scope is authoritative

    expect(await toolNames(provider)).toEqual(['list_tickets']);

    const before = provider.tokens();
    expect(before?.refresh_token).toBeTruthy();
    expect(await auth(provider, { serverUrl: tickets.resourceUri, fetchFn: recordingFetch })).toBe('AUTHORIZED');
    const after = provider.tokens();
    expect(after?.access_token).not.toBe(before?.access_token);
    expect(after?.refresh_token).not.toBe(before?.refresh_token);
    expect(await toolNames(provider)).toEqual(['list_tickets']);
  });

  it('loses access at the MCP server as soon as the access token is revoked at Gatehouse (revocation stream)', async () => {
    const token = provider.tokens()!.access_token;
    expect((await rawCall(token, 'tools/list')).status).toBe(200); // verified and now cached by the resource server
    const revoke = await fetch(`${gatehouse.issuer}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: provider.clientInfo!.client_id }),
    });
    expect(revoke.status).toBe(200);
    const refused = await rawCall(token, 'tools/list');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});

describe('MCP SDK client with a Client ID Metadata Document (CIMD)', () => {
  let documents: Listening;
  let clientId: string;
  let documentFetches = 0;
  let provider: RecordingOAuthProvider;
  let previousTlsSetting: string | undefined;

  beforeAll(async () => {
    documents = await listen(undefined, { tls: selfSignedLoopbackCertificate() });
    clientId = `${documents.origin}/clients/sdk-e2e.json`;
    documents.handle(() => {
      documentFetches += 1;
      return Response.json(
        {
          client_id: clientId,
          client_name: 'SDK e2e (CIMD)',
          redirect_uris: [REDIRECT_URL],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
        },
        { headers: { 'cache-control': 'max-age=60' } },
      );
    });
    // The SDK only sends an https document URL, so the document is served over https with a
    // throwaway self-signed certificate; Gatehouse's fetcher must accept it in this block only.
    previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  });

  afterAll(async () => {
    if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
    await documents?.close();
  });

  it('uses its metadata document URL as client_id without registering, signs in and lists tools', async () => {
    clientRequests.length = 0;
    provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SDK e2e (CIMD)', clientMetadataUrl: clientId });
    const authorizationUrl = await signIn(provider);
    expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId);
    expect(clientRequests.filter((line) => line.includes('/register'))).toEqual([]);
    expect(documentFetches, 'Gatehouse fetched the metadata document').toBeGreaterThan(0);
    expect(await toolNames(provider)).toEqual(['list_tickets']);
  });

  it('steps up on 403 insufficient_scope: a new authorization with the union of scopes, then the tool runs (MCP scope challenges)', async () => {
    const client = await connect(provider);
    // SDK 1.32 answers insufficient_scope by refreshing (same scopes) when it holds a refresh
    // token, then gives up: re-authorizing is left to the application, as here.
    await expect(client.callTool({ name: 'create_ticket', arguments: {} })).rejects.toThrow(/403/);
    await client.close();
    const challenge = (await rawCall(provider.tokens()!.access_token, 'tools/call', { name: 'create_ticket', arguments: {} })).headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/error="insufficient_scope"/);
    expect(challenge).toContain(`resource_metadata="${tickets.mcp.metadataUrl}"`);
    const scope = /scope="([^"]*)"/.exec(challenge)?.[1] ?? '';
    expect(scope.split(' ').sort()).toEqual(['tickets:read', 'tickets:write']);

    provider.invalidateCredentials('tokens');
    expect(await auth(provider, { serverUrl: tickets.resourceUri, scope, fetchFn: recordingFetch })).toBe('REDIRECT');
    const stepUp = await completeInBrowser(provider, newTransport(provider));
    expect(stepUp.searchParams.get('scope')?.split(' ').sort()).toEqual(['tickets:read', 'tickets:write']);
    expect(provider.tokens()?.scope?.split(' ').sort()).toEqual(['tickets:read', 'tickets:write']);
    const retried = await connect(provider);
    try {
      const result = await retried.callTool({ name: 'create_ticket', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'ticket T-3 created' }]);
    } finally {
      await retried.close();
    }
  });
});

describe('MCP SDK client against an issuer with a path (RFC 8414 §3.1 path insertion)', () => {
  let main: { gatehouse: TestGatehouse; tickets: TicketsServer };

  beforeAll(async () => {
    main = { gatehouse, tickets };
    ({ gatehouse, tickets } = await startStack('/tenant-a'));
  });

  afterAll(async () => {
    await tickets?.close();
    await gatehouse?.close();
    ({ gatehouse, tickets } = main);
  });

  it('finds the metadata at the path-inserted well-known URI, registers, signs in and lists tools', async () => {
    clientRequests.length = 0;
    expect(tickets.mcp.metadata.authorization_servers).toEqual([`${gatehouse.origin}/tenant-a`]);
    const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SDK e2e (issuer path)' });
    await signIn(provider);
    expect(clientRequests).toContain(`GET ${gatehouse.origin}/.well-known/oauth-authorization-server/tenant-a 200`);
    expect(clientRequests).toContain(`POST ${gatehouse.issuer}/register 201`);
    expect(clientRequests).toContain(`POST ${gatehouse.issuer}/token 200`);
    expect(await toolNames(provider)).toEqual(['list_tickets']);
  });
});
