/**
 * The policy set split by what a call can be: one part per principal type
 * (User or Agent) and action, holding only the policies whose scope can
 * match it. Cedar copies the whole preparsed set on every call, so its
 * cost grows with every policy in the part it is handed; a policy scoped to
 * another action or principal type can neither apply nor fail for the
 * call, so leaving it out changes no decision. Within a part, a policy
 * scoped to a role (`principal in Role::"HR"`) is kept apart: it can only
 * apply to a user holding that role. Each part also knows what its
 * policies read (evaluation-reads.ts).
 */
import { actionGroup, actionId, OPERATION_KINDS, operationsOf, type AccessModel } from './access-model.ts';
import { evaluationReads, mergeReads, noReads, type EvaluationReads } from './evaluation-reads.ts';
import type { PolicySource } from './policy-files.ts';
import { cedar, type PolicyJson } from './wasm.ts';

export const PRINCIPAL_TYPES = ['User', 'Agent'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

export interface PolicyPart {
  /** Every policy of the part. */
  policies: Record<string, string>;
  /** The policies not scoped to a role. */
  unscoped: Record<string, string>;
  /** The policies scoped to each role. */
  byRole: Map<string, Record<string, string>>;
  /** What the part's policies read, all together. */
  reads: EvaluationReads;
}

/** The policies of a part that can apply to a principal holding these roles (an agent holds none). */
export function policiesForRoles(part: PolicyPart, roles: readonly string[]): Record<string, string> {
  const policies = { ...part.unscoped };
  for (const role of roles) Object.assign(policies, part.byRole.get(role));
  return policies;
}

export const partKey = (principalType: PrincipalType, action: string): string => `${principalType} ${action}`;

type EntityRef = { type?: string; id?: string; __entity?: { type: string; id: string } };
const uidOf = (entity: EntityRef): { type: string | undefined; id: string | undefined } => entity.__entity ?? { type: entity.type, id: entity.id };

/** Whether the policy's action scope can match the action (`action`, `action == …`, `action in …`, `action in […]`). */
function actionMatcher(scope: PolicyJson['action']): (action: string, group: string) => boolean {
  const constraint = scope as { op: string; entity?: EntityRef; entities?: EntityRef[] };
  if (constraint.op === '==' && constraint.entity) {
    const target = uidOf(constraint.entity).id;
    return (action) => target === action;
  }
  if (constraint.op === 'in') {
    const targets = new Set((constraint.entities ?? (constraint.entity ? [constraint.entity] : [])).map((entity) => uidOf(entity).id));
    return (action, group) => targets.has(action) || targets.has(group);
  }
  return () => true;
}

/** Whether the policy's principal scope can match a principal of the type (`principal is T`, `principal == T::"…"`). */
function principalMatcher(scope: PolicyJson['principal']): (type: PrincipalType) => boolean {
  const constraint = scope as { op: string; entity?: EntityRef; entity_type?: string };
  if (constraint.op === 'is' && constraint.entity_type !== undefined) return (type) => type === constraint.entity_type;
  if (constraint.op === '==' && constraint.entity) {
    const target = uidOf(constraint.entity).type;
    return (type) => type === target;
  }
  return () => true;
}

/** The role a principal must hold for the policy to apply (`principal in Role::"HR"`, `principal is User in Role::"HR"`): roles have no ancestors. */
function requiredRole(scope: PolicyJson['principal']): string | undefined {
  const constraint = scope as { op: string; entity?: EntityRef; in?: { entity?: EntityRef } };
  const entity = constraint.op === 'in' ? constraint.entity : constraint.op === 'is' ? constraint.in?.entity : undefined;
  if (!entity) return undefined;
  const uid = uidOf(entity);
  return uid.type === 'Role' ? uid.id : undefined;
}

export function partitionPolicies(model: AccessModel, source: PolicySource): Map<string, PolicyPart> {
  const analysed: { id: string; text: string; action: ReturnType<typeof actionMatcher>; principal: ReturnType<typeof principalMatcher>; role: string | undefined; reads: EvaluationReads }[] = [];
  for (const [id, text] of Object.entries(source.policies)) {
    const json = cedar.policyToJson(text);
    // Policies come validated; one Cedar cannot show as JSON goes in every part, reading everything.
    if (json.type === 'failure') analysed.push({ id, text, action: () => true, principal: () => true, role: undefined, reads: { principal: true, resource: true, context: true } });
    else
      analysed.push({
        id,
        text,
        action: actionMatcher(json.json.action),
        principal: principalMatcher(json.json.principal),
        role: requiredRole(json.json.principal),
        reads: evaluationReads(json.json),
      });
  }
  const parts = new Map<string, PolicyPart>();
  for (const kind of OPERATION_KINDS) {
    for (const name of Object.keys(operationsOf(model, kind))) {
      const action = actionId(kind, name);
      for (const principalType of PRINCIPAL_TYPES) {
        const part: PolicyPart = { policies: {}, unscoped: {}, byRole: new Map(), reads: noReads() };
        for (const policy of analysed) {
          if (!policy.action(action, actionGroup(kind)) || !policy.principal(principalType)) continue;
          part.policies[policy.id] = policy.text;
          if (policy.role === undefined) part.unscoped[policy.id] = policy.text;
          else part.byRole.set(policy.role, { ...part.byRole.get(policy.role), [policy.id]: policy.text });
          mergeReads(part.reads, policy.reads);
        }
        parts.set(partKey(principalType, action), part);
      }
    }
  }
  return parts;
}
