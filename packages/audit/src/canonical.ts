/** Canonical JSON lives in core (one definition for every hash over JSON); the audit package re-exports it. */
import { canonicalJson } from '@gatehouse-auth/core';

export { canonicalJson, type JsonValue } from '@gatehouse-auth/core';

/** Canonical JSON text of a value that may be absent (stored as SQL NULL). */
export const canonicalOrNull = (value: unknown): string | null => (value === undefined || value === null ? null : canonicalJson(value));
