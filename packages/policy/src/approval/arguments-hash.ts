/**
 * What an approval is bound to: the SHA-256 of the canonical JSON of the
 * call's arguments (core's canonicalJson, the same the audit chain hashes).
 * `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same call; `{"a":1}` and
 * `{"a":"1"}` are not.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@gatehouse-auth/core';

export { canonicalJson } from '@gatehouse-auth/core';

export const argumentsSha256 = (args: Record<string, unknown>): string => createHash('sha256').update(canonicalJson(args)).digest('hex');
