/**
 * The internal company's MCP tools (seed 001), each gated by its own scope.
 * Handlers read the verified caller with getPrincipal(extra); none ever sees
 * the bearer token. update_ticket also has a runtime rule (seed 004): a
 * closed ticket cannot be changed, whatever the token's scopes say.
 */
import { z } from 'zod';
import { deny, ALLOW, GatedMcpServer, getPrincipal, requireScopes, type Policy } from '@gatehouse-auth/mcp';
import { seedCompanyData, type CompanyData } from './data.ts';

const json = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value) }] });
const notFound = (what: string) => ({ content: [{ type: 'text' as const, text: `${what} not found` }], isError: true });

export interface ToolCallCounter {
  (tool: string): void;
}

export function ticketIsOpen(data: CompanyData): Policy {
  return (_principal, operation) => {
    const ticket = data.tickets.find((t) => t.id === operation.arguments.ticketId);
    if (ticket?.status === 'closed') return deny(`ticket ${ticket.id} is closed`);
    return ALLOW;
  };
}

/** Builds the server; `onRun` is told each time a handler actually runs (tests use it as a spy). */
export function createInternalCompanyServer(data: CompanyData = seedCompanyData(), onRun: ToolCallCounter = () => {}): GatedMcpServer {
  const server = new GatedMcpServer({ name: 'acme-internal-tools', version: '1.0.0' });

  server.registerTool(
    'employee_information_public',
    { description: "Return an employee's public information.", inputSchema: { employee_id: z.string() }, requires: requireScopes('employees:read:public') },
    async ({ employee_id }) => {
      onRun('employee_information_public');
      const employee = data.employees.find((e) => e.id === employee_id);
      if (!employee) return notFound(`employee ${employee_id}`);
      const { private: _private, ...publicInfo } = employee;
      return json(publicInfo);
    },
  );

  server.registerTool(
    'employee_information_private',
    { description: "Return an employee's private record (salary, address, last review).", inputSchema: { employee_id: z.string() }, requires: requireScopes('employees:read:private') },
    async ({ employee_id }) => {
      onRun('employee_information_private');
      const employee = data.employees.find((e) => e.id === employee_id);
      return employee ? json(employee) : notFound(`employee ${employee_id}`);
    },
  );

  server.registerTool(
    'list_tickets',
    { description: 'List support tickets, optionally by status.', inputSchema: { status: z.enum(['open', 'pending', 'closed']).optional() }, requires: requireScopes('tickets:read') },
    async ({ status }) => {
      onRun('list_tickets');
      return json(data.tickets.filter((t) => !status || t.status === status).map(({ replies: _r, ...t }) => t));
    },
  );

  server.registerTool(
    'update_ticket',
    {
      description: "Change a ticket's status or assignee, or add a reply.",
      inputSchema: { ticketId: z.string(), status: z.enum(['open', 'pending', 'closed']).optional(), assignee: z.string().optional(), reply: z.string().optional() },
      requires: requireScopes('ticket:write:update'),
      policy: ticketIsOpen(data),
    },
    async ({ ticketId, status, assignee, reply }, extra) => {
      onRun('update_ticket');
      const ticket = data.tickets.find((t) => t.id === ticketId);
      if (!ticket) return notFound(`ticket ${ticketId}`);
      if (status) ticket.status = status;
      if (assignee) ticket.assignee = assignee;
      if (reply) ticket.replies.push(`${getPrincipal(extra).subject}: ${reply}`);
      return json(ticket);
    },
  );

  server.registerTool(
    'customer_summary',
    { description: "Summarise a customer's account.", inputSchema: { customerId: z.string() }, requires: requireScopes('customers:read:summary') },
    async ({ customerId }) => {
      onRun('customer_summary');
      const customer = data.customers.find((c) => c.id === customerId);
      if (!customer) return notFound(`customer ${customerId}`);
      return json({ ...customer, openTickets: data.tickets.filter((t) => t.customerId === customerId && t.status !== 'closed').length });
    },
  );

  server.registerTool(
    'revenue_report',
    { description: 'Revenue by quarter.', inputSchema: { quarter: z.string().optional() }, requires: requireScopes('finance:read:revenue') },
    async ({ quarter }) => {
      onRun('revenue_report');
      return json(data.revenue.filter((r) => !quarter || r.quarter === quarter));
    },
  );

  server.registerTool('analytics_overview', { description: 'Headline product analytics.', requires: requireScopes('analytics:read:all') }, async () => {
    onRun('analytics_overview');
    return json(data.analytics);
  });

  server.registerTool('search_code', { description: 'Search the source repositories.', inputSchema: { query: z.string().min(1) }, requires: requireScopes('code:read') }, async ({ query }) => {
    onRun('search_code');
    return json(data.code.filter((file) => file.content.includes(query) || file.path.includes(query)).map((file) => file.path));
  });

  return server;
}
