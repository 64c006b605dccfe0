/**
 * What an approval is bound to: the SHA-256 of the canonical JSON of the
 * call's arguments. Canonical as packages/audit's canonicalJson (the JCS
 * subset our records use: keys sorted by UTF-16 code units, no whitespace,
 * ECMAScript number and string forms), restated here because this package
 * depends on core only; a test checks both agree. `{"a":1,"b":2}` and
 * `{"b":2,"a":1}` are the same call; `{"a":1}` and `{"a":"1"}` are not.
 */
import { createHash } from 'node:crypto';

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
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}

export const argumentsSha256 = (args: Record<string, unknown>): string => createHash('sha256').update(canonicalJson(args)).digest('hex');
