/**
 * A prepared policy set (policy-partitions.ts) compiled to JavaScript, to
 * decide a call without a round trip into Cedar's Wasm module. Why: each
 * Cedar call costs tens of microseconds before it evaluates anything (the
 * request crosses into Wasm field by field, the preparsed set is copied,
 * the answer crosses back) and a few more per policy and per entity, while
 * the conditions security teams write (`context.hour >= 9`, `context has
 * reason`, `resource.sensitivity != "critical"`, `context.ip.isInRange(…)`)
 * are a handful of comparisons.
 *
 * It models a strict subset of Cedar and declines the rest, so that where
 * it answers, it answers as Cedar does:
 * - a set holding any policy with an operator, scope or literal outside
 *   the subset is not compiled at all: Cedar decides every call to it;
 * - at run time, any step where Cedar would raise an error (a missing
 *   attribute, a type mismatch, an entity not in the request) or where a
 *   value lies outside the model (IPv6, records or sets compared, an
 *   extension other than `ip`) abandons the evaluation and Cedar decides
 *   that call, with its own diagnostics;
 * - evaluation order and short-circuits are Cedar's: scope, then each
 *   `when`/`unless` in order, `&&`/`||` left to right, so an error Cedar
 *   would not reach is not reached here either.
 * With no error, Cedar's answer is fixed by which policies are satisfied:
 * any satisfied `forbid` denies (those are the reasons), else any satisfied
 * `permit` allows (those are the reasons), else the default deny with none.
 * policy-evaluator.test.ts checks this against Cedar over generated calls.
 */
import { ipv4InRange, ipv4IsLoopback, parseIpv4, type Ipv4Range } from './ipv4.ts';
import type { CedarRequest } from './request.ts';
import type { EntityJson, PolicyJson } from './wasm.ts';

/** Thrown where Cedar's answer could differ from this evaluator's: the call goes to Cedar. */
const ASK_CEDAR = Symbol('ask Cedar');

type Uid = { type: string; id: string };

/** An `ip(…)` literal of a policy, parsed once. */
class IpLiteral {
  constructor(readonly range: Ipv4Range) {}
}

/** One call as the compiled policies read it. */
export interface Env {
  principal: { __entity: Uid };
  resource: { __entity: Uid };
  action: Uid;
  context: Record<string, unknown>;
  entities: EntityJson[];
  /** The last `ip` value of the context parsed (policies often test the same address several times). */
  ipText?: string;
  ip?: Ipv4Range;
}

type Compiled = (env: Env) => unknown;

export interface DirectAnswer {
  decision: 'allow' | 'deny';
  diagnostics: { reason: string[]; errors: never[] };
}

/** Decides a call as Cedar would, or undefined when Cedar must decide it. */
export type SetEvaluator = (request: CedarRequest) => DirectAnswer | undefined;

/** Value kinds as Cedar types them; any extension value (`ip`, `decimal`, `datetime`…) is `extension`: only `ip` is read, the rest is left to Cedar. */
type Kind = 'string' | 'long' | 'bool' | 'entity' | 'set' | 'record' | 'extension' | 'unknown';

function kindOf(value: unknown): Kind {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isSafeInteger(value) ? 'long' : 'unknown';
    case 'object': {
      if (value === null) return 'unknown';
      if (Array.isArray(value)) return 'set';
      if (value instanceof IpLiteral) return 'extension';
      const record = value as Record<string, unknown>;
      if ('__entity' in record) return 'entity';
      if ('__extn' in record) return 'extension';
      // `{type, id}` may be read as an entity reference: not modelled.
      if ('type' in record && 'id' in record) return 'unknown';
      for (const key in record) if (key.startsWith('__')) return 'unknown';
      return 'record';
    }
    default:
      return 'unknown';
  }
}

const sameUid = (a: Uid, b: Uid): boolean => a.type === b.type && a.id === b.id;

function entityOf(env: Env, uid: Uid): EntityJson {
  for (const entity of env.entities) if (sameUid(entity.uid as Uid, uid)) return entity;
  throw ASK_CEDAR;
}

function uidOf(value: unknown): Uid {
  const uid = (value as { __entity?: Uid }).__entity;
  if (typeof uid?.type !== 'string' || typeof uid.id !== 'string') throw ASK_CEDAR;
  return uid;
}

/** The attributes `.` and `has` read: a record's, or an entity's in the request. */
function attributesOf(env: Env, value: unknown): Record<string, unknown> {
  const kind = kindOf(value);
  if (kind === 'record') return value as Record<string, unknown>;
  if (kind === 'entity') return (entityOf(env, uidOf(value)).attrs ?? {}) as Record<string, unknown>;
  throw ASK_CEDAR;
}

function equal(a: unknown, b: unknown): boolean {
  const kind = kindOf(a);
  const other = kindOf(b);
  if (kind === 'unknown' || other === 'unknown') throw ASK_CEDAR;
  if (kind !== other) return false;
  if (kind === 'string' || kind === 'long' || kind === 'bool') return a === b;
  if (kind === 'entity') return sameUid(uidOf(a), uidOf(b));
  throw ASK_CEDAR;
}

function bool(value: unknown): boolean {
  if (typeof value !== 'boolean') throw ASK_CEDAR;
  return value;
}

function long(value: unknown): number {
  if (kindOf(value) !== 'long') throw ASK_CEDAR;
  return value as number;
}

function ipOf(env: Env, value: unknown): Ipv4Range {
  if (value instanceof IpLiteral) return value.range;
  const extension = (value as { __extn?: { fn?: unknown; arg?: unknown } } | null)?.__extn;
  if (kindOf(value) !== 'extension' || extension?.fn !== 'ip' || typeof extension.arg !== 'string') throw ASK_CEDAR;
  if (env.ipText !== extension.arg) {
    env.ip = parseIpv4(extension.arg);
    env.ipText = extension.arg;
  }
  if (env.ip === undefined) throw ASK_CEDAR;
  return env.ip;
}

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

type Operands = { left?: unknown; right?: unknown; attr?: unknown; arg?: unknown };

/** The expression as a function of the call, or undefined when it uses anything outside the subset. */
function compileExpr(expr: unknown): Compiled | undefined {
  if (typeof expr !== 'object' || expr === null || Array.isArray(expr)) return undefined;
  const entries = Object.entries(expr);
  if (entries.length !== 1) return undefined;
  const [op, body] = entries[0]!;
  if (op === 'Value') {
    const kind = kindOf(body);
    return kind === 'string' || kind === 'long' || kind === 'bool' ? () => body : undefined;
  }
  if (op === 'Var') {
    if (body === 'principal') return (env) => env.principal;
    if (body === 'resource') return (env) => env.resource;
    if (body === 'context') return (env) => env.context;
    return undefined;
  }
  if (op === 'ip') {
    const literal = Array.isArray(body) && body.length === 1 ? (body[0] as { Value?: unknown }).Value : undefined;
    const range = typeof literal === 'string' ? parseIpv4(literal) : undefined;
    if (range === undefined) return undefined;
    const value = new IpLiteral(range);
    return () => value;
  }
  if (op === 'isInRange' || op === 'isLoopback') {
    if (!Array.isArray(body) || body.length !== (op === 'isInRange' ? 2 : 1)) return undefined;
    const args = body.map(compileExpr);
    if (args.some((arg) => arg === undefined)) return undefined;
    const [subject, range] = args as Compiled[];
    return (env) => {
      const address = ipOf(env, subject!(env));
      // A range on the left is not modelled.
      if (address.prefix !== 32) throw ASK_CEDAR;
      return op === 'isLoopback' ? ipv4IsLoopback(address) : ipv4InRange(address, ipOf(env, range!(env)));
    };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const operands = body as Operands;
  if (op === '!') {
    const arg = compileExpr(operands.arg);
    return arg && ((env) => !bool(arg(env)));
  }
  if (op === '.' || op === 'has') {
    const left = compileExpr(operands.left);
    if (!left || typeof operands.attr !== 'string') return undefined;
    const attr = operands.attr;
    if (op === 'has') return (env) => Object.hasOwn(attributesOf(env, left(env)), attr);
    return (env) => {
      const attributes = attributesOf(env, left(env));
      if (!Object.hasOwn(attributes, attr)) throw ASK_CEDAR;
      return attributes[attr];
    };
  }
  const left = compileExpr(operands.left);
  const right = compileExpr(operands.right);
  if (!left || !right) return undefined;
  switch (op) {
    case '&&':
      return (env) => bool(left(env)) && bool(right(env));
    case '||':
      return (env) => bool(left(env)) || bool(right(env));
    case '==':
      return (env) => equal(left(env), right(env));
    case '!=':
      return (env) => !equal(left(env), right(env));
    case 'contains':
      return (env) => {
        const set = left(env);
        if (!Array.isArray(set)) throw ASK_CEDAR;
        const item = right(env);
        return set.some((member) => equal(member, item));
      };
    default: {
      const compare = COMPARISONS[op];
      return compare && ((env) => compare(long(left(env)), long(right(env))));
    }
  }
}

type Constraint = { op?: string; entity?: unknown; entity_type?: unknown; in?: { entity?: unknown } };

function scopeUid(entity: unknown): Uid | undefined {
  const uid = ((entity as { __entity?: Uid } | undefined)?.__entity ?? entity) as Partial<Uid> | undefined;
  return typeof uid?.type === 'string' && typeof uid.id === 'string' ? { type: uid.type, id: uid.id } : undefined;
}

/** `principal in E`: the principal is E or E is among its parents (whose own ancestors the request never carries; if it did, Cedar decides). */
function inEntity(env: Env, uid: Uid, ancestor: Uid): boolean {
  if (sameUid(uid, ancestor)) return true;
  for (const parent of (entityOf(env, uid).parents ?? []) as Uid[]) {
    if (sameUid(parent, ancestor)) return true;
    if (env.entities.some((entity) => sameUid(entity.uid as Uid, parent) && (entity.parents ?? []).length > 0)) throw ASK_CEDAR;
  }
  return false;
}

/** A principal or resource scope constraint, or undefined when it is not modelled. */
function compileScope(constraint: Constraint, subject: (env: Env) => Uid, allowIn: boolean): ((env: Env) => boolean) | undefined {
  const entity = scopeUid(constraint.entity);
  switch (constraint.op) {
    case 'All':
      return () => true;
    case '==':
      return entity && ((env) => sameUid(subject(env), entity));
    case 'is': {
      const type = constraint.entity_type;
      if (typeof type !== 'string') return undefined;
      if (constraint.in === undefined) return (env) => subject(env).type === type;
      const ancestor = scopeUid(constraint.in.entity);
      return allowIn && ancestor ? (env) => subject(env).type === type && inEntity(env, subject(env), ancestor) : undefined;
    }
    case 'in':
      return allowIn && entity ? (env) => inEntity(env, subject(env), entity) : undefined;
    default:
      return undefined;
  }
}

/** Whether the policy is satisfied by the call (throws ASK_CEDAR where Cedar must decide), or undefined when not compiled. */
function compilePolicy(policy: PolicyJson | string): ((env: Env) => boolean) | undefined {
  if (typeof policy === 'string') return undefined;
  const action = policy.action as Constraint;
  const actionUid = scopeUid(action.entity);
  const checks: ((env: Env) => boolean)[] = [];
  const principal = compileScope(policy.principal as Constraint, (env) => env.principal.__entity, true);
  const resource = compileScope(policy.resource as Constraint, (env) => env.resource.__entity, false);
  if (!principal || !resource) return undefined;
  checks.push(principal);
  if (action.op === '==' && actionUid) checks.push((env) => sameUid(env.action, actionUid));
  else if (action.op !== 'All') return undefined;
  checks.push(resource);
  for (const condition of policy.conditions) {
    const body = compileExpr(condition.body);
    if (!body) return undefined;
    if (condition.kind === 'when') checks.push((env) => bool(body(env)));
    else if (condition.kind === 'unless') checks.push((env) => !bool(body(env)));
    else return undefined;
  }
  return (env) => {
    for (const check of checks) if (!check(env)) return false;
    return true;
  };
}

/** A policy compiled: its effect and whether a call satisfies it. */
export interface CompiledPolicy {
  forbid: boolean;
  satisfied: (env: Env) => boolean;
}

/**
 * The set as one evaluator, or undefined when any of its policies is outside the subset (Cedar decides every call).
 * `known` keeps policies compiled for other sets of the same part, by id and principal scope (the only part of a
 * policy that differs between them, policy-partitions.ts).
 */
export function compilePolicySet(policies: Record<string, PolicyJson | string>, known?: Map<string, CompiledPolicy | undefined>): SetEvaluator | undefined {
  const compiled: ({ id: string } & CompiledPolicy)[] = [];
  for (const [id, policy] of Object.entries(policies)) {
    const key = typeof policy === 'string' ? undefined : `${id}\n${JSON.stringify(policy.principal)}`;
    let entry = key === undefined ? undefined : known?.get(key);
    if (entry === undefined) {
      const satisfied = compilePolicy(policy);
      if (!satisfied || typeof policy === 'string' || (policy.effect !== 'permit' && policy.effect !== 'forbid')) return undefined;
      entry = { forbid: policy.effect === 'forbid', satisfied };
      if (key !== undefined) known?.set(key, entry);
    }
    compiled.push({ id, ...entry });
  }
  return (request) => {
    const env: Env = {
      principal: { __entity: request.principal },
      resource: { __entity: request.resource },
      action: request.action,
      context: request.context,
      entities: request.entities,
    };
    const permits: string[] = [];
    const forbids: string[] = [];
    try {
      for (const policy of compiled) if (policy.satisfied(env)) (policy.forbid ? forbids : permits).push(policy.id);
    } catch (error) {
      if (error === ASK_CEDAR) return undefined;
      throw error;
    }
    if (forbids.length > 0) return { decision: 'deny', diagnostics: { reason: forbids, errors: [] } };
    return { decision: permits.length > 0 ? 'allow' : 'deny', diagnostics: { reason: permits, errors: [] } };
  };
}
