/**
 * Per-operation scope requirements. A requirement is a list of alternatives;
 * each alternative is a set of scopes that must ALL be held. `requireScopes`
 * builds one alternative (all-of), `anyOf` joins alternatives (any-of).
 * Scopes are a coarse pre-check (seed 004): the runtime policy decides last.
 */
export interface ScopeRequirement {
  readonly alternatives: readonly (readonly string[])[];
}

/** Every listed scope is needed. `requireScopes()` with no scope = any authenticated caller. */
export const requireScopes = (...scopes: string[]): ScopeRequirement => ({ alternatives: [[...new Set(scopes)]] });

/** Satisfied when any one of the requirements is. */
export const anyOf = (...requirements: ScopeRequirement[]): ScopeRequirement => ({
  alternatives: requirements.flatMap((requirement) => requirement.alternatives),
});

export const NO_REQUIREMENT: ScopeRequirement = requireScopes();

export function isSatisfied(requirement: ScopeRequirement, held: ReadonlySet<string>): boolean {
  if (requirement.alternatives.length === 0) return true;
  return requirement.alternatives.some((scopes) => scopes.every((scope) => held.has(scope)));
}

/** The alternative that satisfies the requirement, for the audit record's "scopes used". */
export function satisfyingScopes(requirement: ScopeRequirement, held: ReadonlySet<string>): string[] {
  const match = requirement.alternatives.find((scopes) => scopes.every((scope) => held.has(scope)));
  return match ? [...match] : [];
}

/**
 * The scopes to put in an insufficient_scope challenge: the alternative with
 * the fewest scopes still missing (ties go to the first declared), so a
 * client stepping up asks for the least it needs (MCP "Scope minimization").
 */
export function scopesToRequest(requirement: ScopeRequirement, held: ReadonlySet<string>): string[] {
  let best: readonly string[] | undefined;
  let bestMissing = Number.POSITIVE_INFINITY;
  for (const scopes of requirement.alternatives) {
    const missing = scopes.filter((scope) => !held.has(scope)).length;
    if (missing < bestMissing) {
      best = scopes;
      bestMissing = missing;
    }
  }
  return best ? [...best] : [];
}

export const scopesNamedBy = (requirement: ScopeRequirement): string[] => [...new Set(requirement.alternatives.flat())];
