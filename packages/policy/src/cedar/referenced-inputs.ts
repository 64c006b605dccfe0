/**
 * Which inputs a policy reads: `principal.department`, `context.hour`,
 * `resource.sensitivity`… found once per policy from Cedar's JSON form. A
 * decision record lists the values of the inputs its determining policies
 * read, so "why was this allowed" is answered by the data that mattered.
 */
import type { PolicySource } from './policy-files.ts';
import { cedar, type Expr } from './wasm.ts';

const VARS = new Set(['principal', 'resource', 'context']);

function walk(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  for (const op of ['.', 'has'] as const) {
    const access = record[op] as { left?: Expr; attr?: string | string[] } | undefined;
    const variable = (access?.left as { Var?: string } | undefined)?.Var;
    if (access && variable && VARS.has(variable)) {
      const attr = Array.isArray(access.attr) ? access.attr[0] : access.attr;
      if (attr !== undefined) found.add(`${variable}.${attr}`);
    }
  }
  const membership = record.in as { left?: { Var?: string } } | undefined;
  if (membership?.left?.Var === 'principal') found.add('principal.roles');
  for (const value of Object.values(record)) walk(value, found);
}

export function referencedInputs(source: PolicySource): Map<string, string[]> {
  const inputs = new Map<string, string[]>();
  for (const [id, text] of Object.entries(source.policies)) {
    const json = cedar.policyToJson(text);
    if (json.type === 'failure') continue;
    const found = new Set<string>();
    if (json.json.principal.op === 'in') found.add('principal.roles');
    walk(json.json.conditions, found);
    inputs.set(id, [...found].sort());
  }
  return inputs;
}
