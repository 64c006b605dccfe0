/**
 * Policy files (`policies/*.cedar`) become one policy set keyed by each
 * policy's `@id("…")` annotation (or `<file>#<n>` without one), so decisions
 * and error messages name policies as their authors did, with the file and
 * line each came from.
 */
import { readFileSync } from 'node:fs';
import { cedar, type DetailedError } from './wasm.ts';

export interface PolicyFile {
  /** Shown in messages; the path as the user wrote it. */
  path: string;
  text: string;
}

export interface PolicyOrigin {
  file: string;
  /** 1-based line where the policy starts. */
  line: number;
  /** Offset of the policy's text within its file. */
  offset: number;
  text: string;
}

export interface PolicySource {
  policies: Record<string, string>;
  origins: Record<string, PolicyOrigin>;
}

/** A problem found in a policy file, located as precisely as Cedar allows. */
export interface PolicyProblem {
  file: string;
  line: number | undefined;
  policyId: string | undefined;
  message: string;
}

export class PolicyError extends Error {
  constructor(readonly problems: PolicyProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'PolicyError';
  }
}

export const formatProblem = (problem: PolicyProblem): string =>
  `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}${problem.policyId === undefined ? '' : ` (policy ${problem.policyId})`}: ${problem.message}`;

export const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

const describe = (error: DetailedError): string => (error.help ? `${error.message} (${error.help})` : error.message);

const ID_ANNOTATION = /@id\(\s*"((?:[^"\\]|\\.)*)"\s*\)/;

export function readPolicyFiles(paths: string[]): PolicyFile[] {
  return paths.map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

/** Parses every file; throws PolicyError listing every syntax error and duplicate id. */
export function parsePolicyFiles(files: PolicyFile[]): PolicySource {
  const source: PolicySource = { policies: {}, origins: {} };
  const problems: PolicyProblem[] = [];
  for (const file of files) {
    const parts = cedar.policySetTextToParts(file.text);
    if (parts.type === 'failure') {
      for (const error of parts.errors) {
        const start = error.sourceLocations?.[0]?.start;
        problems.push({ file: file.path, line: start === undefined ? undefined : lineAt(file.text, start), policyId: undefined, message: describe(error) });
      }
      continue;
    }
    if (parts.policy_templates.length > 0) problems.push({ file: file.path, line: undefined, policyId: undefined, message: 'policy templates are not supported; write static policies' });
    let cursor = 0;
    for (const [index, text] of parts.policies.entries()) {
      const found = file.text.indexOf(text, cursor);
      const offset = found === -1 ? cursor : found;
      cursor = found === -1 ? cursor : found + text.length;
      const id = ID_ANNOTATION.exec(text)?.[1] ?? `${file.path}#${index + 1}`;
      const line = lineAt(file.text, offset);
      const earlier = source.origins[id];
      if (earlier) {
        problems.push({ file: file.path, line, policyId: id, message: `duplicate policy id (also at ${earlier.file}:${earlier.line})` });
        continue;
      }
      source.policies[id] = text;
      source.origins[id] = { file: file.path, line, offset, text };
    }
  }
  if (problems.length > 0) throw new PolicyError(problems);
  return source;
}

/** Locates a Cedar error reported against one policy (offsets are relative to the policy's own text). */
export function problemIn(source: PolicySource, policyId: string, error: DetailedError): PolicyProblem {
  const origin = source.origins[policyId];
  if (!origin) return { file: '(policies)', line: undefined, policyId, message: describe(error) };
  const start = error.sourceLocations?.[0]?.start;
  const line = start === undefined ? origin.line : origin.line + lineAt(origin.text, start) - 1;
  return { file: origin.file, line, policyId, message: describe(error) };
}
