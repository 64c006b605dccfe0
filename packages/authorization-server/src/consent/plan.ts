/**
 * What the consent screen offers, as plain data (no I/O). Org scopes are
 * grantable only by members whose roles are in the scope's `allowedRoles`
 * (empty means every member); the rest are shown greyed out with the
 * reason. User scopes concern the user's own data and are always grantable.
 * docs/consent.md describes the rules.
 */
import type { ResourceOperations, ScopeDefinition, Sensitivity } from '@gatehouse-auth/core';

/** The tools, resources and prompts a scope unlocks on the resource (each requires it). */
export interface Unlocks {
  tools: string[];
  resources: string[];
  prompts: string[];
}

export interface ScopeChoice {
  name: string;
  description: string;
  sensitivity: Sensitivity;
  /** Optional scopes can be unticked; required ones are checked and locked. */
  optional: boolean;
  /** False: shown disabled, never granted. */
  allowed: boolean;
  /** Why it is disabled, for people ("Only Management can grant this"). */
  reason: string | null;
  /** What it unlocks, as the resource server declared it (empty lists when undeclared). */
  unlocks: Unlocks;
}

export interface PlanInput {
  /** Catalogue scopes the client asked for; empty means "whatever the user may grant". */
  requested: readonly string[];
  resourceScopes: readonly string[];
  /** The client's registered scope restriction (null: any). */
  clientScope: string | null;
  definitions: ReadonlyMap<string, ScopeDefinition>;
  /** The user's roles in the chosen org; null when acting without an org. */
  roles: readonly string[] | null;
  /** The resource's declared operation → scopes map, if any. */
  operations?: ResourceOperations | undefined;
}

const requiring = (map: Record<string, string[]> | undefined, scope: string): string[] =>
  Object.entries(map ?? {})
    .filter(([, scopes]) => scopes.includes(scope))
    .map(([operation]) => operation)
    .sort();

/** The operations that name `scope` among the scopes they require. */
export function unlocksOf(operations: ResourceOperations | undefined, scope: string): Unlocks {
  return { tools: requiring(operations?.tools, scope), resources: requiring(operations?.resources, scope), prompts: requiring(operations?.prompts, scope) };
}

const listRoles = (roles: readonly string[]): string => (roles.length <= 1 ? (roles[0] ?? '') : `${roles.slice(0, -1).join(', ')} or ${roles[roles.length - 1]}`);

/** Whether `roles` may grant `definition`, and if not, why. */
export function mayGrant(definition: ScopeDefinition, roles: readonly string[] | null): { allowed: boolean; reason: string | null } {
  if (definition.kind === 'user') return { allowed: true, reason: null };
  if (roles === null) return { allowed: false, reason: 'Only members of an organization can grant this' };
  if (definition.allowedRoles.length === 0 || definition.allowedRoles.some((role) => roles.includes(role))) return { allowed: true, reason: null };
  return { allowed: false, reason: `Only ${listRoles(definition.allowedRoles)} can grant this` };
}

function choiceFor(definition: ScopeDefinition, input: PlanInput): ScopeChoice {
  const { allowed, reason } = mayGrant(definition, input.roles);
  return {
    name: definition.name,
    description: definition.description,
    sensitivity: definition.sensitivity,
    optional: definition.optional,
    allowed,
    reason,
    unlocks: unlocksOf(input.operations, definition.name),
  };
}

export function planConsent(input: PlanInput): ScopeChoice[] {
  if (input.requested.length > 0) {
    return input.requested.flatMap((name) => {
      const definition = input.definitions.get(name);
      return definition ? [choiceFor(definition, input)] : [];
    });
  }
  // Nothing specific asked (no scope, or only generic ones): offer what the
  // resource supports, the client may request and this user may grant.
  const clientAllows = input.clientScope === null ? undefined : new Set(input.clientScope.split(' '));
  return input.resourceScopes
    .filter((name) => !clientAllows || clientAllows.has(name))
    .flatMap((name) => {
      const definition = input.definitions.get(name);
      return definition ? [choiceFor(definition, input)] : [];
    })
    .filter((choice) => choice.allowed);
}

/**
 * The scopes an approval grants, re-validated on the server: required
 * grantable scopes always, optional ones only when ticked, disallowed ones
 * never, and nothing that was not offered (a forged POST cannot widen it).
 */
export function approvedScopes(choices: readonly ScopeChoice[], ticked: readonly string[]): string[] {
  const tickedSet = new Set(ticked);
  return choices.filter((c) => c.allowed && (!c.optional || tickedSet.has(c.name))).map((c) => c.name);
}
