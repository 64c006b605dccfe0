/**
 * Parameter redaction before anything is stored: secrets and fields an
 * operator marks sensitive never reach the database, the export or the
 * SIEM in clear.
 *
 * - `fields`: key names matched case-insensitively anywhere in the value,
 *   ignoring `-` and `_` (`api_key`, `API-Key` and `apikey` are one name). A
 *   key matches when it contains a listed name (`github_token` matches
 *   `token`), because secrets are named freely.
 * - `paths`: dotted paths from the root (`customer.ssn`, `cards.*.number`),
 *   `*` matching any one key or array index.
 * - `mode`: `mask` stores "[redacted]"; `hmac` stores "hmac:<base64url>",
 *   an HMAC-SHA256 under `key`, so equal values can be correlated in an
 *   investigation without being readable.
 */
import { createHmac } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical.ts';

export const REDACTED = '[redacted]';

export const DEFAULT_REDACTED_FIELDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'authorization', 'apikey', 'cookie', 'privatekey', 'credential', 'cardnumber', 'cvv'];

export interface RedactionConfig {
  fields?: string[];
  paths?: string[];
  mode?: 'mask' | 'hmac';
  /** Required for `hmac`. */
  key?: string | Buffer;
}

export type Redactor = (value: unknown) => JsonValue | null;

const normalize = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

export function createRedactor(config: RedactionConfig = {}): Redactor {
  const fields = (config.fields ?? DEFAULT_REDACTED_FIELDS).map(normalize).filter((f) => f.length > 0);
  const paths = (config.paths ?? []).map((p) => p.split('.').map((s) => s.toLowerCase()));
  const mode = config.mode ?? 'mask';
  if (mode === 'hmac' && (config.key === undefined || config.key.length === 0)) {
    throw new Error('redaction mode "hmac" needs a key');
  }
  const replace = (value: unknown): JsonValue =>
    mode === 'mask'
      ? REDACTED
      : `hmac:${createHmac('sha256', config.key!)
          .update(canonicalJson(toJson(value) ?? null))
          .digest('base64url')}`;

  // Records repeat the same few parameter names: decide each name once (bounded, so hostile names cannot grow it forever).
  const secretKeys = new Map<string, boolean>();
  const keyIsSecret = (key: string): boolean => {
    let secret = secretKeys.get(key);
    if (secret === undefined) {
      const name = normalize(key);
      secret = fields.some((field) => name.includes(field));
      if (secretKeys.size < 10_000) secretKeys.set(key, secret);
    }
    return secret;
  };
  const pathIsMarked = (path: string[]): boolean => paths.some((p) => p.length === path.length && p.every((seg, i) => seg === '*' || seg === path[i]));

  const walk = (value: unknown, path: string[]): JsonValue => {
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        if (paths.length === 0) return walk(item, path);
        const child = [...path, String(i)];
        return pathIsMarked(child) ? replace(item) : walk(item, child);
      });
    }
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      const out: Record<string, JsonValue> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item === undefined) continue;
        // Without configured paths, no path is tracked (an array per key was most of the walk's allocations).
        const child = paths.length === 0 ? path : [...path, key.toLowerCase()];
        out[key] = keyIsSecret(key) || (paths.length > 0 && pathIsMarked(child)) ? replace(item) : walk(item, child);
      }
      return out;
    }
    return toJson(value) ?? null;
  };

  return (value) => (value === undefined || value === null ? null : walk(value, []));
}

/** Coerces what JSON cannot hold (bigint, Date, NaN) into something it can. */
function toJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) || typeof value === 'object') return value as JsonValue;
  return String(value);
}
