/**
 * Scope grammar. RFC 6749 §3.3 allows any printable ASCII except space, `"`
 * and `\` in a scope-token; Gatehouse's own catalogue is stricter:
 * `resource:verb[:qualifier]`, lower case, so names stay readable on a
 * consent screen (`employees:read:public`, `crm:customers:export`).
 */
export type ScopeKind = 'user' | 'org';
export type Sensitivity = 'routine' | 'sensitive' | 'critical';

export const SENSITIVITY_ORDER: Record<Sensitivity, number> = { routine: 0, sensitive: 1, critical: 2 };

/** Scopes a client may ask for without knowing the resource's catalogue. */
export const GENERIC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access']);

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const CATALOGUE_NAME = /^[a-z][a-z0-9_-]*(?::[a-z][a-z0-9_-]*){1,2}$/;

export const isScopeToken = (value: string): boolean => SCOPE_TOKEN.test(value);
export const isCatalogueScopeName = (value: string): boolean => CATALOGUE_NAME.test(value);

/**
 * Parses a space-delimited `scope` parameter. Returns undefined for a
 * malformed value (callers answer `invalid_scope`); duplicates collapse and
 * order of first appearance is kept.
 */
export function parseScopeParam(value: string | null | undefined): string[] | undefined {
  if (value === null || value === undefined) return [];
  if (value === '') return [];
  const parts = value.split(' ');
  const seen = new Set<string>();
  for (const part of parts) {
    if (part === '' || !isScopeToken(part)) return undefined;
    seen.add(part);
  }
  return [...seen];
}

export const formatScope = (scopes: Iterable<string>): string => [...scopes].join(' ');

/** The highest sensitivity among scopes; unknown names count as routine. */
export function highestSensitivity(scopes: Iterable<string>, sensitivityOf: (scope: string) => Sensitivity | undefined): Sensitivity {
  let best: Sensitivity = 'routine';
  for (const scope of scopes) {
    const s = sensitivityOf(scope) ?? 'routine';
    if (SENSITIVITY_ORDER[s] > SENSITIVITY_ORDER[best]) best = s;
  }
  return best;
}
