/**
 * The internal company's seeded data (seed 001): employees, tickets,
 * customers, revenue, analytics and code. In memory, fresh per server.
 */
export interface Employee {
  id: string;
  name: string;
  team: string;
  title: string;
  email: string;
  private: { salary: number; homeAddress: string; lastReview: string };
}

export interface Ticket {
  id: string;
  title: string;
  status: 'open' | 'pending' | 'closed';
  assignee: string | null;
  /** The team the ticket is assigned to (Support may update only its own team's tickets: policies/tickets.cedar). */
  team: string;
  customerId: string;
  replies: string[];
}

export interface CompanyData {
  employees: Employee[];
  tickets: Ticket[];
  customers: { id: string; name: string; plan: string; arr: number; health: 'green' | 'amber' | 'red' }[];
  revenue: { quarter: string; amount: number }[];
  analytics: { dashboard: string; metric: string; value: number }[];
  code: { path: string; content: string }[];
}

export function seedCompanyData(): CompanyData {
  return {
    employees: [
      { id: 'e-100', name: 'Maria Management', team: 'Leadership', title: 'CEO', email: 'maria@acme.test', private: { salary: 250_000, homeAddress: '1 Hill Rd', lastReview: 'exceeds' } },
      { id: 'e-101', name: 'Hana HR', team: 'People', title: 'HR Lead', email: 'hana@acme.test', private: { salary: 120_000, homeAddress: '2 Lake St', lastReview: 'meets' } },
      { id: 'e-102', name: 'Eli Engineering', team: 'Platform', title: 'Staff Engineer', email: 'eli@acme.test', private: { salary: 180_000, homeAddress: '3 Oak Ave', lastReview: 'exceeds' } },
      { id: 'e-103', name: 'Sam Support', team: 'Support', title: 'Support Engineer', email: 'sam@acme.test', private: { salary: 90_000, homeAddress: '4 Pine Ln', lastReview: 'meets' } },
    ],
    tickets: [
      { id: 'T-1', title: 'Login page is slow', status: 'open', assignee: 'sam@acme.test', team: 'Support', customerId: 'c-1', replies: [] },
      { id: 'T-2', title: 'Invoice shows wrong VAT', status: 'pending', assignee: null, team: 'Billing', customerId: 'c-2', replies: ['Looking into it'] },
      { id: 'T-3', title: 'Export times out', status: 'closed', assignee: 'eli@acme.test', team: 'Platform', customerId: 'c-1', replies: ['Fixed in 2.3'] },
    ],
    customers: [
      { id: 'c-1', name: 'Globex', plan: 'enterprise', arr: 480_000, health: 'green' },
      { id: 'c-2', name: 'Initech', plan: 'team', arr: 36_000, health: 'amber' },
    ],
    revenue: [
      { quarter: '2026-Q1', amount: 2_100_000 },
      { quarter: '2026-Q2', amount: 2_350_000 },
      { quarter: '2026-Q3', amount: 2_610_000 },
    ],
    analytics: [
      { dashboard: 'activation', metric: 'weekly_active_users', value: 18_400 },
      { dashboard: 'retention', metric: 'day_30_retention', value: 0.62 },
    ],
    code: [
      { path: 'services/billing/vat.ts', content: 'export const vatRate = (country: string) => (country === "DE" ? 0.19 : 0.2);' },
      { path: 'services/auth/login.ts', content: 'export async function login(email: string) { /* … */ }' },
    ],
  };
}
