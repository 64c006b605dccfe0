/**
 * A small MCP server protected by Gatehouse's own resource-server SDK
 * (@gatehouse-auth/mcp): RFC 9728 metadata, 401/403 challenges, introspection
 * against the listening Gatehouse with the revocation stream, per-tool
 * scopes. End-to-end tests put a real MCP client in front of it.
 */
import { GatedMcpServer, protectMcpServer, requireScopes, type ProtectedMcp } from '@gatehouse-auth/mcp';
import { listen, type Listening } from './listen.ts';

export interface TicketsServer {
  /** Canonical resource URI of the MCP endpoint. */
  resourceUri: string;
  mcp: ProtectedMcp;
  /** `METHOD /path STATUS` of every request the MCP server answered. */
  requests: string[];
  close(): Promise<void>;
}

export interface TicketsServerOptions {
  issuer: string;
  /** A confidential client of Gatehouse registered as this server's resource server (it may introspect). */
  introspection: { clientId: string; clientSecret: string };
  scopesSupported: string[];
  /** Ids of the organizations this server serves (the SDK refuses tokens of any other). */
  organizations: string[];
}

/**
 * Listens first (the resource URI needs the port), then serves. Gatehouse's
 * resource for it must be configured with the returned `resourceUri`, so
 * call `reserveTicketsServer` before starting Gatehouse and `serve` after.
 */
export async function reserveTicketsServer(): Promise<{ listening: Listening; resourceUri: string }> {
  const listening = await listen();
  return { listening, resourceUri: `${listening.origin}/mcp` };
}

export function serveTickets(listening: Listening, options: TicketsServerOptions): TicketsServer {
  const server = new GatedMcpServer({ name: 'acme-tickets', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'Lists open support tickets', requires: requireScopes('tickets:read') }, async () => ({
    content: [{ type: 'text', text: '2 open tickets' }],
  }));
  server.registerTool('create_ticket', { description: 'Opens a support ticket', requires: requireScopes('tickets:write') }, async () => ({
    content: [{ type: 'text', text: 'ticket T-3 created' }],
  }));
  const resourceUri = `${listening.origin}/mcp`;
  const mcp = protectMcpServer({
    server,
    issuer: options.issuer,
    resource: resourceUri,
    scopesSupported: options.scopesSupported,
    // Connecting at all needs tickets:read: the 401 challenge asks for exactly that.
    requiredScopes: ['tickets:read'],
    resourceName: 'Acme tickets',
    organizations: options.organizations,
    introspection: options.introspection,
  });
  const requests: string[] = [];
  listening.handle(async (request) => {
    const response = await mcp.fetch(request);
    requests.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`);
    return response;
  });
  return {
    resourceUri,
    mcp,
    requests,
    async close() {
      await mcp.close();
      await listening.close();
    },
  };
}
