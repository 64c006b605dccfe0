/**
 * TEST SCAFFOLDING, not the resource-server SDK: a tiny MCP server that an
 * MCP client can discover (RFC 9728 metadata, 401 challenge) so the
 * authorization server's flows can be driven end to end. The bearer check
 * is deliberately minimal (token hash lookup, expiry, revocation, audience);
 * the real checks live in @gatehouse/mcp and are tested there.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { sha256 } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import type { FetchHandler } from './listen.ts';

export interface BearerVerdict {
  active: boolean;
  scopes: string[];
}
export type BearerVerifier = (token: string) => Promise<BearerVerdict>;

export interface McpResourceServerOptions {
  /** Canonical URI of this MCP endpoint, e.g. `http://127.0.0.1:5000/mcp`. */
  resourceUri: string;
  issuer: string;
  scopesSupported: string[];
  /** Scopes announced in the 401 challenge (MCP: clients treat them as authoritative). */
  challengeScopes: string[];
  verify: BearerVerifier;
}

/** Accepts an access token Gatehouse issued for exactly this resource and not revoked or expired. */
export function storeBearerVerifier(store: Store, resourceUri: string, now: () => number = Date.now): BearerVerifier {
  return async (token) => {
    const record = await store.tokens.get(sha256(token));
    const active = !!record && record.kind === 'access' && record.revokedAt === null && record.expiresAt > now() && record.resource === resourceUri;
    return { active, scopes: active && record ? record.scopes : [] };
  };
}

export function mcpResourceServer(options: McpResourceServerOptions): FetchHandler {
  const url = new URL(options.resourceUri);
  const metadataUrl = `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`;
  const challenge = `Bearer resource_metadata="${metadataUrl}", scope="${options.challengeScopes.join(' ')}"`;
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === 'GET' && path === new URL(metadataUrl).pathname) {
      return Response.json({
        resource: options.resourceUri,
        authorization_servers: [options.issuer],
        scopes_supported: options.scopesSupported,
        bearer_methods_supported: ['header'],
      });
    }
    if (path !== url.pathname) return new Response('not found', { status: 404 });
    const header = request.headers.get('authorization') ?? '';
    const token = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(header)?.[1];
    const verdict = token ? await options.verify(token) : { active: false, scopes: [] };
    if (!verdict.active) {
      const body = { jsonrpc: '2.0', error: { code: -32001, message: 'Unauthorized' }, id: null };
      return Response.json(body, { status: 401, headers: { 'www-authenticate': token ? `${challenge}, error="invalid_token"` : challenge } });
    }
    return serveMcp(request, verdict.scopes);
  };
}

/** Stateless MCP (2026-07-28): a fresh server and transport per request. */
async function serveMcp(request: Request, scopes: string[]): Promise<Response> {
  const server = new McpServer({ name: 'gatehouse-e2e-tickets', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'Lists open support tickets' }, async () => ({
    content: [{ type: 'text', text: `2 open tickets (granted: ${scopes.join(' ')})` }],
  }));
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  return transport.handleRequest(request);
}
