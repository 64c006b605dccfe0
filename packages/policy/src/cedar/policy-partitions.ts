/**
 * The policy set split by what a call can be: one part per principal type
 * (User or Agent) and action, holding only the policies whose scope can
 * match it. Cedar copies the whole preparsed set on every call and
 * evaluates every policy's scope, so its cost grows with every policy in
 * the part it is handed; a policy scoped to another action, principal or
 * resource type can neither apply nor fail for the call, so leaving it out
 * changes no decision. Within a part, a policy scoped to a role
 * (`principal in Role::"HR"`) is kept apart: it can only apply to a user
 * holding that role.
 *
 * Each policy is handed to Cedar with the scope constraints its part has
 * already decided replaced by their outcome, true: the action (and the
 * principal type, the resource, and for a set made for the roles a user
 * holds, the role). Cedar then needs neither the action's entity nor the
 * principal's roles to decide them. Ids, effects, conditions and so every
 * decision stay the same; policy-parts.test.ts checks this against Cedar
 * given the original policies.
 */
import { actionGroup, actionId, OPERATION_KINDS, operationsOf, resourceType, type AccessModel } from './access-model.ts';
import { evaluationReads, mergeReads, noReads, type EvaluationReads } from './evaluation-reads.ts';
import type { PolicySource } from './policy-files.ts';
import { cedar, type PolicyJson } from './wasm.ts';

export const PRINCIPAL_TYPES = ['User', 'Agent'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** A policy of a part, with its action and resource constraints already decided (true). */
interface PartPolicy {
  id: string;
  /** As Cedar gets it: the JSON form, or the original text when Cedar could not show it as JSON. */
  policy: PolicyJson | string;
}

export interface PolicyPart {
  principalType: PrincipalType;
  /** The policies not scoped to a role. */
  unscoped: PartPolicy[];
  /** The policies scoped to each role. */
  byRole: Map<string, PartPolicy[]>;
  /** What the part's policies read, all together. */
  reads: EvaluationReads;
}

export interface PreparedSet {
  policies: Record<string, PolicyJson | string>;
  /** Whether a policy still tests the principal's ancestors in its scope: then Cedar needs the principal's roles. */
  ancestry: boolean;
}

export const partKey = (principalType: PrincipalType, action: string): string => `${principalType} ${action}`;

type EntityRef = { type?: string; id?: string; __entity?: { type: string; id: string } };
type Constraint = { op: string; entity?: EntityRef; entities?: EntityRef[]; entity_type?: string; in?: { entity?: EntityRef } };
const uidOf = (entity: EntityRef): { type: string | undefined; id: string | undefined } => entity.__entity ?? { type: entity.type, id: entity.id };
const ALL = { op: 'All' } as const;

/** Whether the policy's action scope can match the action (`action`, `action == …`, `action in …`, `action in […]`). */
function actionMatches(scope: Constraint, action: string, group: string): boolean {
  if (scope.op === '==' && scope.entity) return uidOf(scope.entity).id === action;
  if (scope.op === 'in') {
    const targets = (scope.entities ?? (scope.entity ? [scope.entity] : [])).map((entity) => uidOf(entity).id);
    return targets.includes(action) || targets.includes(group);
  }
  return scope.op === 'All';
}

/** Whether the policy's principal scope can match a principal of the type (`principal is T`, `principal == T::"…"`). */
function principalMayMatch(scope: Constraint, type: PrincipalType): boolean {
  if (scope.op === 'is' && scope.entity_type !== undefined) return type === scope.entity_type;
  if (scope.op === '==' && scope.entity) return type === uidOf(scope.entity).type;
  return true;
}

/** Whether the policy's resource scope can match the operation's resource (entity type and name); undefined when it cannot tell (kept as written). */
function resourceMatches(scope: Constraint, type: string, name: string): boolean | undefined {
  if (scope.op === 'All') return true;
  if (scope.op === '==' && scope.entity) {
    const uid = uidOf(scope.entity);
    return uid.type === type && uid.id === name;
  }
  if (scope.op === 'is' && scope.entity_type !== undefined && scope.in === undefined) return scope.entity_type === type;
  return undefined;
}

/** The role a principal must hold for the policy to apply (`principal in Role::"HR"`, `principal is User in Role::"HR"`): roles have no ancestors. */
function requiredRole(scope: Constraint): string | undefined {
  const entity = scope.op === 'in' ? scope.entity : scope.op === 'is' ? scope.in?.entity : undefined;
  if (!entity) return undefined;
  const uid = uidOf(entity);
  return uid.type === 'Role' ? uid.id : undefined;
}

/** The principal constraint once the part's type (and, when `roleHeld`, the role) is known to hold. */
function principalAfter(scope: Constraint, type: PrincipalType, roleHeld: boolean): Constraint {
  if (roleHeld && scope.op === 'in') return ALL;
  if (scope.op === 'is' && scope.entity_type === type) return roleHeld || scope.in === undefined ? ALL : scope;
  return scope;
}

const testsAncestry = (scope: Constraint): boolean => scope.op === 'in' || (scope.op === 'is' && scope.in !== undefined);

/**
 * The set Cedar gets for a principal holding these roles (an agent holds none), or for `'every role'`: the
 * whole part with its role scopes as written (the fallback when too many role combinations were seen).
 */
export function preparedSet(part: PolicyPart, roles: readonly string[] | 'every role'): PreparedSet {
  const policies: Record<string, PolicyJson | string> = {};
  let ancestry = part.reads.bare.has('principal');
  const add = (policy: PartPolicy, roleHeld: boolean) => {
    if (typeof policy.policy === 'string') {
      policies[policy.id] = policy.policy;
      ancestry = true;
      return;
    }
    const principal = principalAfter(policy.policy.principal as Constraint, part.principalType, roleHeld);
    if (testsAncestry(principal)) ancestry = true;
    policies[policy.id] = { ...policy.policy, principal: principal as PolicyJson['principal'] };
  };
  for (const policy of part.unscoped) add(policy, false);
  const held = roles === 'every role' ? [...part.byRole.keys()] : roles;
  for (const role of held) for (const policy of part.byRole.get(role) ?? []) add(policy, roles !== 'every role');
  return { policies, ancestry };
}

export function partitionPolicies(model: AccessModel, source: PolicySource): Map<string, PolicyPart> {
  const analysed: { id: string; text: string; json: PolicyJson | undefined; role: string | undefined; reads: EvaluationReads }[] = [];
  for (const [id, text] of Object.entries(source.policies)) {
    const json = cedar.policyToJson(text);
    // Policies come validated; one Cedar cannot show as JSON goes, as written, in every part and reads everything.
    if (json.type === 'failure')
      analysed.push({ id, text, json: undefined, role: undefined, reads: { principal: true, resource: true, context: true, bare: new Set(['principal', 'action', 'resource']) } });
    else analysed.push({ id, text, json: json.json, role: requiredRole(json.json.principal as Constraint), reads: evaluationReads(json.json) });
  }
  const parts = new Map<string, PolicyPart>();
  for (const kind of OPERATION_KINDS) {
    for (const name of Object.keys(operationsOf(model, kind))) {
      const action = actionId(kind, name);
      for (const principalType of PRINCIPAL_TYPES) {
        const part: PolicyPart = { principalType, unscoped: [], byRole: new Map(), reads: noReads() };
        for (const { id, text, json, role, reads } of analysed) {
          let policy: PolicyJson | string = text;
          if (json) {
            const resource = resourceMatches(json.resource as Constraint, resourceType(kind), name);
            if (!actionMatches(json.action as Constraint, action, actionGroup(kind)) || !principalMayMatch(json.principal as Constraint, principalType) || resource === false) continue;
            policy = { ...json, action: ALL, resource: resource ? ALL : json.resource };
          }
          if (role === undefined) part.unscoped.push({ id, policy });
          else part.byRole.set(role, [...(part.byRole.get(role) ?? []), { id, policy }]);
          mergeReads(part.reads, reads);
        }
        parts.set(partKey(principalType, action), part);
      }
    }
  }
  return parts;
}
