/**
 * GatedMcpServer turns a tool's raw Zod shape into its object schema once,
 * at registration, and every per-request McpServer uses that one object:
 * what clients see (tools/list) and what is refused (invalid arguments)
 * stay exactly what the official SDK makes of the raw shape.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { GatedMcpServer, requireScopes } from '../src/index.ts';

const inputShape = { status: z.enum(['open', 'closed']).describe('Which tickets'), limit: z.number().int().max(50).optional() };
const outputShape = { count: z.number() };
const handler = async ({ status }: { status: 'open' | 'closed'; limit?: number }) => ({ content: [{ type: 'text' as const, text: status }], structuredContent: { count: 1 } });

function gated(): GatedMcpServer {
  const server = new GatedMcpServer({ name: 'schemas', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'List tickets', inputSchema: inputShape, outputSchema: outputShape, requires: requireScopes('tickets:read') }, handler);
  server.registerTool('ping', { description: 'No arguments' }, async () => ({ content: [] }));
  return server;
}

function plain(): McpServer {
  const server = new McpServer({ name: 'schemas', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'List tickets', inputSchema: inputShape, outputSchema: outputShape }, handler);
  server.registerTool('ping', { description: 'No arguments' }, async () => ({ content: [] }));
  return server;
}

/** One stateless request to `server`, as resource-server.ts serves it. */
async function ask(server: McpServer, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    const request = new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return await (await transport.handleRequest(request)).json();
  } finally {
    await server.close();
  }
}

const everyScope = new Set(['tickets:read']);
type RegisteredTools = Record<string, { inputSchema?: unknown; outputSchema?: unknown }>;
const toolsOf = (server: McpServer) => (server as unknown as { _registeredTools: RegisteredTools })._registeredTools;

describe('A raw Zod shape is made into its object schema once, with the SDK meaning unchanged', () => {
  it('tools/list shows the same input and output JSON Schemas as a plain McpServer given the raw shapes', async () => {
    expect(await ask(gated().build(everyScope), 'tools/list')).toEqual(await ask(plain(), 'tools/list'));
  });

  it('arguments the raw shape refuses are refused with the same error, and valid ones reach the handler', async () => {
    const server = gated();
    for (const args of [{ status: 'pending' }, { status: 'open', limit: 51 }, {}, { status: 'open' }]) {
      const params = { name: 'list_tickets', arguments: args };
      expect(await ask(server.build(everyScope), 'tools/call', params), JSON.stringify(args)).toEqual(await ask(plain(), 'tools/call', params));
    }
  });

  it('every per-request McpServer uses the same schema objects (none rebuilt per request)', () => {
    const server = gated();
    const first = toolsOf(server.build(everyScope))['list_tickets']!;
    const second = toolsOf(server.build(everyScope))['list_tickets']!;
    expect(first.inputSchema).toBeDefined();
    expect(second.inputSchema).toBe(first.inputSchema);
    expect(second.outputSchema).toBe(first.outputSchema);
  });
});
