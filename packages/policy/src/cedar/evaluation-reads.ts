/**
 * What evaluating a policy can read from the request: which attributes of
 * the principal and the resource, and which keys of the context. Cedar's
 * cost grows with every value it is handed, so each call passes only what
 * the policies that can apply to it read. The analysis errs towards "all":
 * any use of a variable other than reading a named attribute, comparing
 * an entity or testing its type or ancestry counts as reading everything.
 */
import type { Expr, PolicyJson } from './wasm.ts';

/** Attribute names read, or `true` for every attribute. */
export type AttributeReads = Set<string> | true;

export interface EvaluationReads {
  principal: AttributeReads;
  resource: AttributeReads;
  context: AttributeReads;
  /** Variables used other than to read a named attribute (`principal in Role::"HR"`, `action == …`): they need their entity's ancestors. */
  bare: Set<string>;
}

type Variable = 'principal' | 'resource' | 'context';

const ATTRIBUTE_VARIABLES = new Set<string>(['principal', 'resource', 'context']);
/** Operators that use an entity as a whole (its uid, type or ancestors), never its attributes. */
const ENTITY_OPERATORS = new Set(['==', '!=', 'in', 'is']);

export const noReads = (): EvaluationReads => ({ principal: new Set(), resource: new Set(), context: new Set(), bare: new Set() });

function readAttribute(reads: EvaluationReads, variable: Variable, attribute: string): void {
  const current = reads[variable];
  if (current !== true) current.add(attribute);
}

function walk(node: unknown, reads: EvaluationReads, entityOperand: boolean): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, reads, false);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.Var === 'string') {
    reads.bare.add(record.Var);
    // A bare principal or resource compared, or tested for type or ancestry, reads no attribute; the context
    // is a record, and anything else done with a variable (a set of them, an if-else yielding one…) may read all.
    if (ATTRIBUTE_VARIABLES.has(record.Var) && (record.Var === 'context' || !entityOperand)) reads[record.Var as Variable] = true;
    return;
  }
  for (const [op, argument] of Object.entries(record)) {
    if (op === 'Value') continue;
    if (op === 'Record') {
      // A record literal's keys are attribute names, not operators: only its values are expressions.
      for (const value of Object.values(argument as Record<string, unknown>)) walk(value, reads, false);
      continue;
    }
    const operands = argument as { left?: Expr; right?: Expr; attr?: string | string[]; in?: Expr };
    if ((op === '.' || op === 'has') && typeof operands === 'object' && operands !== null) {
      const variable = (operands.left as { Var?: string } | undefined)?.Var;
      if (variable !== undefined && ATTRIBUTE_VARIABLES.has(variable) && operands.attr !== undefined) {
        readAttribute(reads, variable as Variable, Array.isArray(operands.attr) ? operands.attr[0]! : operands.attr);
        continue;
      }
      walk(operands.left, reads, false);
      continue;
    }
    if (ENTITY_OPERATORS.has(op) && typeof operands === 'object' && operands !== null && !Array.isArray(operands)) {
      walk(operands.left, reads, true);
      walk(operands.right, reads, true);
      walk(operands.in, reads, true);
      continue;
    }
    walk(argument, reads, false);
  }
}

/** What one policy's conditions read. Scope constraints read no attribute (`principal in Role::"HR"` reads ancestors, always passed). */
export function evaluationReads(policy: PolicyJson): EvaluationReads {
  const reads = noReads();
  walk(policy.conditions, reads, false);
  return reads;
}

export function mergeReads(into: EvaluationReads, from: EvaluationReads): void {
  for (const variable of from.bare) into.bare.add(variable);
  for (const variable of ['principal', 'resource', 'context'] as const) {
    const target = into[variable];
    const source = from[variable];
    if (target === true) continue;
    if (source === true) into[variable] = true;
    else for (const attribute of source) target.add(attribute);
  }
}

export const reads = (attributes: AttributeReads, name: string): boolean => attributes === true || attributes.has(name);
