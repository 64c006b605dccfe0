/**
 * An upstream's policy, compiled into the SDK guard's gates. Each kind
 * (tools, resources, prompts) is a list of rules matched by exact name (or
 * URI) first, then by pattern in the order written; a name no rule matches
 * gets the upstream's default: refused, or allowed to holders of one named
 * scope. A rule with `deny: true` hides and refuses what it matches.
 *
 * The gates are handed to `createMcpGuard` as `GatedOperations` whose maps
 * answer `get(name)` through the rules, so the guard's own scope pre-check
 * (403 step-up), policy (JSON-RPC -32003) and audit record apply unchanged.
 */
import { deny, requireScopes, isSatisfied, type Decision, type Gate, type GatedOperations, type Policy, type ScopeRequirement } from '@gatehouse-auth/mcp';
import { constraintViolation, type ArgumentConstraint } from './argument-constraints.ts';
import { compilePattern, patternProblem, type NamePattern } from './glob.ts';
import { personalize } from './placeholders.ts';

export interface PolicyRule {
  /** Tool or prompt name, or resource URI; `*` and `?` are wildcards. */
  name: string;
  /** Scopes the caller must all hold; empty: any caller of this upstream. */
  scopes?: string[];
  /** Hidden and refused whatever the scopes. */
  deny?: boolean;
  /** Constraints on named arguments (tools and prompts). */
  arguments?: Record<string, ArgumentConstraint>;
}

export interface UpstreamPolicy {
  tools?: PolicyRule[];
  resources?: PolicyRule[];
  prompts?: PolicyRule[];
  /** For anything no rule names: 'deny' (the default) or a scope that allows it. */
  default?: 'deny' | { scope: string };
}

/** A problem found while compiling, at a path inside the upstream's options. */
export interface PolicyIssue {
  path: (string | number)[];
  message: string;
}

export class PolicyError extends Error {
  constructor(readonly issues: PolicyIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'));
    this.name = 'PolicyError';
  }
}

type RequiredGate = Gate & { requires: ScopeRequirement };

interface CompiledRule {
  pattern: NamePattern;
  gate: RequiredGate;
  hidden: boolean;
}

/**
 * A map of gates keyed by rule (so startup validation sees every scope
 * named) whose `get` resolves a concrete name through the rules.
 */
export class RuleGates extends Map<string, RequiredGate> {
  constructor(
    private readonly exact: ReadonlyMap<string, CompiledRule>,
    private readonly patterns: readonly CompiledRule[],
    private readonly fallback: CompiledRule,
  ) {
    super([...exact.values(), ...patterns, fallback].map((rule) => [rule.pattern.source, rule.gate]));
  }

  /** The rule that decides `name`. */
  ruleFor(name: string): CompiledRule {
    return this.exact.get(name) ?? this.patterns.find((rule) => rule.pattern.matches(name)) ?? this.fallback;
  }

  override get(name: string): RequiredGate {
    return this.ruleFor(name).gate;
  }

  override has(): boolean {
    return true;
  }

  /** Whether a caller holding `held` sees `name` in a list. */
  visible(name: string, held: ReadonlySet<string>): boolean {
    const rule = this.ruleFor(name);
    return !rule.hidden && isSatisfied(rule.gate.requires, held);
  }
}

export interface CompiledPolicy {
  operations: GatedOperations;
  tools: RuleGates;
  resources: RuleGates;
  prompts: RuleGates;
}

const DEFAULT_KEY = '(default)';

/** Compiles `policy` against the scopes the upstream supports; throws PolicyError listing every problem. */
export function compilePolicy(policy: UpstreamPolicy, scopesSupported: readonly string[], at: (string | number)[] = ['policy']): CompiledPolicy {
  const supported = new Set(scopesSupported);
  const issues: PolicyIssue[] = [];
  const checkScopes = (scopes: readonly string[], path: (string | number)[]) => {
    scopes.forEach((scope, i) => {
      if (!supported.has(scope)) issues.push({ path: [...path, i], message: `unknown scope "${scope}" (this upstream's scopes: ${[...supported].join(', ') || 'none'})` });
    });
  };
  if (policy.default !== undefined && policy.default !== 'deny' && !supported.has(policy.default.scope)) {
    issues.push({ path: [...at, 'default', 'scope'], message: `unknown scope "${policy.default.scope}" (this upstream's scopes: ${[...supported].join(', ') || 'none'})` });
  }
  const fallbackRule = (kind: string): CompiledRule => {
    const fallback = policy.default ?? 'deny';
    if (fallback === 'deny') {
      return { pattern: compilePattern(DEFAULT_KEY), hidden: true, gate: { requires: requireScopes(), policy: denyAll(`the gateway's policy allows no ${kind} of that name`) } };
    }
    return { pattern: compilePattern(DEFAULT_KEY), hidden: false, gate: { requires: requireScopes(fallback.scope) } };
  };
  const compileKind = (kind: 'tools' | 'resources' | 'prompts', noun: string): RuleGates => {
    const exact = new Map<string, CompiledRule>();
    const patterns: CompiledRule[] = [];
    (policy[kind] ?? []).forEach((rule, i) => {
      const path = [...at, kind, i];
      const problem = patternProblem(rule.name);
      if (problem) {
        issues.push({ path: [...path, 'name'], message: `bad pattern: ${problem}` });
        return;
      }
      checkScopes(rule.scopes ?? [], [...path, 'scopes']);
      if (kind === 'resources' && rule.arguments) issues.push({ path: [...path, 'arguments'], message: 'resources take no arguments' });
      for (const [name, constraint] of Object.entries(rule.arguments ?? {})) {
        if (constraint.pathUnder !== undefined && constraint.pathUnder.length === 0) issues.push({ path: [...path, 'arguments', name, 'pathUnder'], message: 'an empty prefix' });
      }
      const pattern = compilePattern(rule.name);
      const compiled: CompiledRule = {
        pattern,
        hidden: rule.deny === true,
        gate: {
          requires: requireScopes(...(rule.scopes ?? [])),
          policy: rule.deny ? denyAll(`the gateway's policy forbids ${noun} ${rule.name}`) : argumentPolicy(rule.arguments ?? {}),
        },
      };
      if (pattern.exact) {
        if (exact.has(rule.name)) issues.push({ path: [...path, 'name'], message: `${noun} ${rule.name} is named twice` });
        else exact.set(rule.name, compiled);
      } else patterns.push(compiled);
    });
    return new RuleGates(exact, patterns, fallbackRule(noun));
  };
  const tools = compileKind('tools', 'tool');
  const resources = compileKind('resources', 'resource');
  const prompts = compileKind('prompts', 'prompt');
  if (issues.length > 0) throw new PolicyError(issues);
  return { tools, resources, prompts, operations: { tools, prompts, resources, templates: [] } };
}

const denyAll =
  (reason: string): Policy =>
  () =>
    deny(reason);

function argumentPolicy(constraints: Record<string, ArgumentConstraint>): Policy | undefined {
  const entries = Object.entries(constraints);
  if (entries.length === 0) return undefined;
  return (principal, operation) => {
    for (const [name, rawConstraint] of entries) {
      if (!(name in operation.arguments)) continue;
      let constraint = rawConstraint;
      if (rawConstraint.pathUnder !== undefined) {
        const pathUnder = personalize(rawConstraint.pathUnder, principal);
        if (pathUnder === undefined) return deny(`argument ${name}: the caller's id cannot name a directory`);
        constraint = { ...rawConstraint, pathUnder };
      }
      const violation = constraintViolation(name, operation.arguments[name], constraint);
      if (violation) return deny(violation);
    }
    return ALLOWED;
  };
}

/** Every allowed call's decision: one object, read and never changed. */
const ALLOWED: Decision = Object.freeze({ allow: true as const });
