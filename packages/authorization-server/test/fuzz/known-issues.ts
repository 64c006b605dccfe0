/**
 * 5xx answers the fuzz suite has found whose fix belongs to another piece of
 * work in progress. Each entry matches its finding narrowly (route, request
 * shape and the logged error), so any other 5xx on the same route still
 * fails. Matching cases are counted and printed, not failed, unless
 * GATEHOUSE_FUZZ_STRICT=1. Delete an entry when its fix lands: the suite
 * then holds the line.
 */
import type { RequestSpec } from '../../../../fuzz/hostile-http.ts';

export interface KnownIssue {
  id: string;
  routes: readonly string[];
  matches(spec: RequestSpec, status: number, logged: string): boolean;
}

const contentType = (spec: RequestSpec): string => spec.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1].trim().toLowerCase() ?? '';

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    // Hono's parseBody lets undici's "Failed to parse body as FormData" escape to onError (being fixed with the body limits).
    id: 'malformed multipart/form-data body → 500 (docs/security-tests.md "Fuzzing and soak")',
    routes: ['POST /login', 'POST /signup', 'POST /logout', 'POST /interaction/:id'],
    matches: (spec, status, logged) => status === 500 && contentType(spec).startsWith('multipart/form-data') && logged.includes('Failed to parse body as FormData'),
  },
];

export const strictMode = (): boolean => process.env.GATEHOUSE_FUZZ_STRICT === '1';

export function knownIssueOf(key: string, spec: RequestSpec, status: number, logged: string): KnownIssue | undefined {
  if (strictMode()) return undefined;
  return KNOWN_ISSUES.find((issue) => issue.routes.includes(key) && issue.matches(spec, status, logged));
}
