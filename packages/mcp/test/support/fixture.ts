/**
 * A small protected MCP server for the SDK tests: tools with different
 * requirements, each handler a spy so tests can prove a denied one never ran.
 */
import { vi } from 'vitest';
import { z } from 'zod';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { anyOf, GatedMcpServer, getPrincipal, protectMcpServer, requireScopes, type ProtectMcpOptions, type ProtectedMcp } from '../../src/index.ts';

export const RESOURCE = 'http://127.0.0.1:4001/mcp';
export const SCOPES = ['tickets:read', 'ticket:write:update', 'finance:read:revenue', 'finance:read:all', 'employees:read:public', 'offline_access'];

export function buildServer() {
  const spies = {
    listTickets: vi.fn(),
    updateTicket: vi.fn(),
    revenue: vi.fn(),
    whoami: vi.fn(),
    readReport: vi.fn(),
    prompt: vi.fn(),
  };
  const server = new GatedMcpServer({ name: 'fixture', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'List tickets', requires: requireScopes('tickets:read'), inputSchema: { orgId: z.string().optional() } }, async (args, extra) => {
    spies.listTickets(args);
    return { content: [{ type: 'text', text: `tickets for ${getPrincipal(extra).subject}` }] };
  });
  server.registerTool('update_ticket', { description: 'Update a ticket', requires: requireScopes('tickets:read', 'ticket:write:update'), inputSchema: { ticketId: z.string() } }, async (args) => {
    spies.updateTicket(args);
    return { content: [{ type: 'text', text: 'updated' }] };
  });
  server.registerTool('revenue_report', { description: 'Revenue', requires: anyOf(requireScopes('finance:read:revenue'), requireScopes('finance:read:all')) }, async () => {
    spies.revenue();
    return { content: [{ type: 'text', text: '42' }] };
  });
  server.registerTool('whoami', { description: 'Who is calling' }, async (extra) => {
    spies.whoami(extra);
    const principal = getPrincipal(extra);
    return { content: [{ type: 'text', text: JSON.stringify({ principal, token: extra.authInfo?.token }) }] };
  });
  server.registerResource('report', new ResourceTemplate('reports://{year}', { list: undefined }), { requires: requireScopes('finance:read:revenue') }, async (uri) => {
    spies.readReport(uri.href);
    return { contents: [{ uri: uri.href, text: 'report' }] };
  });
  server.registerResource('handbook', 'docs://handbook', { requires: requireScopes('employees:read:public') }, async (uri) => ({ contents: [{ uri: uri.href, text: 'handbook' }] }));
  server.registerPrompt('summarise_tickets', { requires: requireScopes('tickets:read') }, async () => {
    spies.prompt();
    return { messages: [{ role: 'user', content: { type: 'text', text: 'Summarise' } }] };
  });
  return { server, spies };
}

/** The org the fixture server serves; the fake AS's tokens carry it (activeToken). */
export const SERVED_ORG = 'org_acme';

export function protect(overrides: Partial<ProtectMcpOptions> & Pick<ProtectMcpOptions, 'issuer'>): { mcp: ProtectedMcp; spies: ReturnType<typeof buildServer>['spies'] } {
  const { server, spies } = buildServer();
  const mcp = protectMcpServer({ server, resource: RESOURCE, scopesSupported: SCOPES, resourceName: 'Fixture tools', organizations: [SERVED_ORG], ...overrides });
  return { mcp, spies };
}

let nextId = 1;
/** One JSON-RPC request to the protected endpoint, in process. */
export function rpc(mcp: ProtectedMcp, method: string, params: Record<string, unknown> = {}, token?: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return mcp.fetch(
    new Request(RESOURCE, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...extraHeaders,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    }),
  );
}

export async function toolNames(response: Response): Promise<string[]> {
  const body = (await response.json()) as { result: { tools: { name: string }[] } };
  return body.result.tools.map((tool) => tool.name).sort();
}
