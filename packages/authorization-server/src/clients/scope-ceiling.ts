/**
 * The scopes a client may ever request, or undefined for no client-level
 * limit. Only an operator's word is a ceiling: a pre-registered or service
 * client's configured `scope`. A dynamically registered or metadata-document
 * client wrote its own `scope` (RFC 7591 §2); treating that as a limit would
 * stop MCP step-up (2026-07-28: re-authorize with the union of scopes), and
 * it protects nothing, since the client could register again. For those the
 * gates are the resource's catalogue, the user's role and the consent screen.
 */
import type { Client } from '@gatehouse-auth/core';

export function clientScopeCeiling(client: Client): Set<string> | undefined {
  if (client.scope === null) return undefined;
  if (client.kind === 'dynamic' || client.kind === 'metadata_document') return undefined;
  return new Set(client.scope.split(' ').filter(Boolean));
}
