/** The demo server's scopes (seed 001), one per tool; matches examples/internal-company/gatehouse.yaml. */
export const INTERNAL_COMPANY_SCOPES = [
  'analytics:read:all',
  'customers:read:summary',
  'employees:read:private',
  'employees:read:public',
  'finance:read:revenue',
  'tickets:read',
  'ticket:write:update',
  'code:read',
] as const;

/** Which tool each scope unlocks, for docs and tests. */
export const TOOL_SCOPES: Record<string, string> = {
  employee_information_public: 'employees:read:public',
  employee_information_private: 'employees:read:private',
  list_tickets: 'tickets:read',
  update_ticket: 'ticket:write:update',
  customer_summary: 'customers:read:summary',
  revenue_report: 'finance:read:revenue',
  analytics_overview: 'analytics:read:all',
  search_code: 'code:read',
};
