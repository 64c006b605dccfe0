export { startInternalCompanyServer, type InternalCompanyServerOptions, type RunningInternalCompanyServer } from './server.ts';
export { createInternalCompanyServer, ticketIsOpen } from './tools.ts';
export { seedCompanyData, type CompanyData, type Employee, type Ticket } from './data.ts';
export { INTERNAL_COMPANY_SCOPES, TOOL_SCOPES } from './scopes.ts';
export { companyDirectory, ticketOwnership } from './policy-inputs.ts';
