import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessModel, CedarEngine, CedarInput, PolicyFile, PrincipalLike } from '../../src/index.ts';
import { timePartsIn } from '../../src/cedar/clock-parts.ts';
import { buildRequest } from '../../src/cedar/request.ts';
import { cedar } from '../../src/cedar/wasm.ts';

export const EXAMPLE_POLICIES = join(import.meta.dirname, '../../../../examples/internal-company/policies');

export const examplePolicyFiles = (): PolicyFile[] =>
  readdirSync(EXAMPLE_POLICIES)
    .filter((name) => name.endsWith('.cedar'))
    .sort()
    .map((name) => ({ path: `policies/${name}`, text: readFileSync(join(EXAMPLE_POLICIES, name), 'utf8') }));

const tool = (sensitivity: 'routine' | 'sensitive' | 'critical', tags: string[] = []) => ({ sensitivity, tags });

/** The example company's access model, as gatehouse.yaml declares it. */
export const companyModel = (): AccessModel => ({
  roles: ['Management', 'HR', 'Engineering', 'Support'],
  tools: {
    employee_information_public: tool('routine'),
    employee_information_private: tool('critical', ['pii']),
    list_tickets: tool('routine'),
    update_ticket: tool('sensitive'),
    customer_summary: tool('sensitive'),
    revenue_report: tool('critical', ['finance']),
    analytics_overview: tool('sensitive'),
    search_code: tool('sensitive'),
  },
  resources: {},
  prompts: {},
  userAttributes: { team: 'String' },
});

export const user = (roles: string[], subject = 'usr_hana'): PrincipalLike & { permissions: string[]; expiresAt: number } => ({
  subject,
  kind: 'user',
  orgId: 'org_acme',
  roles,
  permissions: [],
  scopes: [],
  clientId: 'https://client.example/metadata.json',
  expiresAt: Number.POSITIVE_INFINITY,
});

/** 2026-03-02 is a Monday; Berlin is UTC+1 in March. */
export const berlin = (time: string): number => Date.parse(`2026-03-02T${time}:00+01:00`);

/** Cedar's decision with the whole set, the whole request and the schema, stated as CedarEngine states decisions. */
export function wholeSetDecision(engine: CedarEngine, model: AccessModel, policies: Record<string, string>, input: CedarInput, timeZone: string) {
  const request = buildRequest(model, input, timePartsIn(timeZone)(input.time), timeZone, 'production');
  const answer = cedar.isAuthorized({
    principal: request.principal,
    action: request.action,
    resource: request.resource,
    context: request.context,
    entities: request.entities,
    policies: { staticPolicies: policies },
    schema: engine.schema,
    validateRequest: true,
  });
  if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
  const order = Object.keys(policies);
  const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const { decision, diagnostics } = answer.response;
  if (diagnostics.errors.length > 0) return { allow: false, policies: sorted(diagnostics.errors.map((e) => e.policyId)) };
  return { allow: decision === 'allow', policies: sorted(diagnostics.reason) };
}
