/**
 * The MCP server the SDK benchmarks protect: two ticket tools with their
 * scope requirements, as a user of @gatehouse-auth/mcp declares them, and
 * a plain HTTP listener on a free port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { GatedMcpServer, requireScopes } from '@gatehouse-auth/mcp';

const TICKETS = [{ id: 'T-1', status: 'open', title: 'Login page is slow' }];
export const listTickets = async ({ status }: { status?: string }) => ({ content: [{ type: 'text' as const, text: JSON.stringify(TICKETS.map((t) => ({ ...t, status: status ?? t.status }))) }] });
export const updateTicket = async () => ({ content: [] });

export function gatedTicketServer(): GatedMcpServer {
  const server = new GatedMcpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'List tickets', inputSchema: { status: z.string().optional() }, requires: requireScopes('tickets:read') }, listTickets);
  server.registerTool('update_ticket', { description: 'Update a ticket', inputSchema: { ticketId: z.string() }, requires: requireScopes('ticket:write:update') }, updateTicket);
  return server;
}

/** Listens on 127.0.0.1 on a free port; resolves with the port. */
export const listen = (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
