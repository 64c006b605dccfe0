/**
 * What the company's Cedar policies read besides the token: the caller's
 * team from the company directory (the employees list, by the token's
 * username) and, for a ticket, the team it is assigned to. Plain functions
 * shaped like @gatehouse-auth/policy's `userAttributes` and `ownership`
 * options, looked up per call from the current data.
 */
import type { CompanyData } from './data.ts';

export function companyDirectory(data: CompanyData): (principal: { username?: string }) => Record<string, unknown> | undefined {
  return (principal) => {
    const employee = data.employees.find((e) => e.email === principal.username);
    return employee ? { team: employee.team } : undefined;
  };
}

export function ticketOwnership(data: CompanyData): (operation: { name: string; arguments: Record<string, unknown> }) => { owner?: string; ownerTeam?: string } | undefined {
  return (operation) => {
    if (operation.name !== 'update_ticket') return undefined;
    const ticket = data.tickets.find((t) => t.id === operation.arguments.ticketId);
    return ticket ? { ...(ticket.assignee ? { owner: ticket.assignee } : {}), ownerTeam: ticket.team } : undefined;
  };
}
