/**
 * Canonical JSON (the subset of RFC 8785 JCS our records use): object keys
 * sorted by UTF-16 code units, no whitespace, strings and numbers written
 * as ECMAScript JSON.stringify writes them (which is what JCS specifies).
 * Non-finite numbers, undefined inside arrays, functions and other
 * non-JSON values are refused rather than silently changed. One definition
 * for every hash over JSON: the audit chain and the arguments an approval is
 * bound to must agree on what "the same value" is.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}
