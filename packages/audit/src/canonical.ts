/**
 * Canonical JSON (the subset of RFC 8785 JCS our records use): object keys
 * sorted by UTF-16 code units, no whitespace, strings and numbers written
 * as ECMAScript JSON.stringify writes them (which is what JCS specifies).
 * Non-finite numbers, undefined inside arrays, functions and other
 * non-JSON values are refused rather than silently changed.
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

/** Canonical JSON text of a value that may be absent (stored as SQL NULL). */
export const canonicalOrNull = (value: unknown): string | null => (value === undefined || value === null ? null : canonicalJson(value));
