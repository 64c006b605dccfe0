import { describe, expect, it } from 'vitest';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { closeRequestServer } from '../src/close-request-server.ts';

describe('A per-request server is closed without capturing a stack nobody reads', () => {
  it('closes the server and its transport, and leaves Error.stackTraceLimit as it was', async () => {
    const server = new McpServer({ name: 'closing', version: '1.0.0' });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    let closed = false;
    let limitDuringClose: number | undefined;
    server.server.onclose = () => {
      closed = true;
      limitDuringClose = Error.stackTraceLimit;
    };
    const before = Error.stackTraceLimit;
    await closeRequestServer(server);
    expect(closed).toBe(true);
    expect(server.isConnected()).toBe(false);
    expect(limitDuringClose).toBe(0);
    expect(Error.stackTraceLimit).toBe(before);
  });

  it('restores Error.stackTraceLimit when close throws', async () => {
    const before = Error.stackTraceLimit;
    const failing = {
      close: () => {
        throw new Error('close failed');
      },
    } as unknown as McpServer;
    await expect(closeRequestServer(failing)).rejects.toThrow('close failed');
    expect(Error.stackTraceLimit).toBe(before);
  });
});
