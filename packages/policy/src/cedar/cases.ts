/**
 * Policy test cases (`gatehouse policy test cases.yaml`): a principal, an
 * action, a resource and a context, with the decision the author expects.
 * Each case runs through the same engine and request builder as a live call.
 */
import type { OperationKindName } from './access-model.ts';
import type { CedarEngine } from './engine.ts';
import { agentFromClientId, type AgentInfo } from './request.ts';

export interface PolicyCase {
  name: string;
  principal: {
    /** A user's subject; absent for an agent acting as itself. */
    user?: string;
    roles?: string[];
    org?: string;
    scopes?: string[];
    attributes?: Record<string, unknown>;
    /** The OAuth client (default `case-client`). */
    client?: string;
    agent?: Partial<AgentInfo>;
  };
  /** `tool:<name>`, `resource:<uri>` or `prompt:<name>`. */
  action: string;
  context: {
    /** ISO 8601 instant, e.g. 2026-03-02T10:00:00+01:00. */
    time: string;
    ip?: string;
    reason?: string;
    tenant?: string;
    owner?: string;
    ownerTeam?: string;
  };
  expect: 'allow' | 'deny';
  /** When given, the determining policy ids must be exactly these. */
  policies?: string[];
  /** 1-based line of the case in its file, for messages. */
  line?: number;
}

export interface CaseResult {
  case: PolicyCase;
  passed: boolean;
  decision: 'allow' | 'deny';
  policies: string[];
  reason: string;
  /** Why it failed, when it did. */
  failure?: string;
}

export function runPolicyCase(engine: CedarEngine, testCase: PolicyCase): CaseResult {
  const separator = testCase.action.indexOf(':');
  const kind = testCase.action.slice(0, separator) as OperationKindName;
  const name = testCase.action.slice(separator + 1);
  const time = Date.parse(testCase.context.time);
  const fail = (failure: string): CaseResult => ({ case: testCase, passed: false, decision: 'deny', policies: [], reason: failure, failure });
  if (separator <= 0 || !['tool', 'resource', 'prompt'].includes(kind)) return fail(`action ${JSON.stringify(testCase.action)} must be tool:<name>, resource:<uri> or prompt:<name>`);
  if (Number.isNaN(time)) return fail(`context.time ${JSON.stringify(testCase.context.time)} is not an ISO 8601 instant`);
  const clientId = testCase.principal.client ?? 'case-client';
  const user = testCase.principal.user;
  const decision = engine.evaluate({
    principal: {
      subject: user ?? `client:${clientId}`,
      kind: user === undefined ? 'service' : 'user',
      orgId: testCase.principal.org ?? null,
      roles: testCase.principal.roles ?? [],
      scopes: testCase.principal.scopes ?? [],
      clientId,
    },
    userAttributes: testCase.principal.attributes,
    agent: { ...agentFromClientId(clientId), ...testCase.principal.agent },
    operation: { kind, name },
    time,
    ip: testCase.context.ip,
    reason: testCase.context.reason,
    tenant: testCase.context.tenant,
    owner: testCase.context.owner,
    ownerTeam: testCase.context.ownerTeam,
  });
  const result: CaseResult = { case: testCase, passed: true, decision: decision.allow ? 'allow' : 'deny', policies: decision.policies, reason: decision.reason };
  const problems: string[] = [];
  if (result.decision !== testCase.expect) problems.push(`expected ${testCase.expect}, got ${result.decision}${decision.allow ? '' : ` (${decision.reason})`}`);
  if (testCase.policies !== undefined) {
    const want = [...testCase.policies].sort().join(', ');
    const got = [...decision.policies].sort().join(', ');
    if (want !== got) problems.push(`expected determining policies [${want}], got [${got}]`);
  }
  if (problems.length > 0) return { ...result, passed: false, failure: problems.join('; ') };
  return result;
}
