/**
 * The gateway's own JSON-RPC errors, beside the SDK's (POLICY_DENIED -32003,
 * AUTHORIZATION_UNAVAILABLE -32001, HEADER_MISMATCH -32020): all in the
 * implementation-defined server range.
 */
import { errorMessage, jsonResponse } from '@gatehouse-auth/mcp';

type JsonRpcId = string | number | null;

/** The upstream cannot answer now (crashed and restarting, unreachable, refused the gateway's credentials). */
export const UPSTREAM_UNAVAILABLE = -32005;
/** Too many upstream sessions for this user, or in total. */
export const SESSION_LIMIT = -32006;
/** The MCP SDK's code for an unknown (or someone else's) session, with HTTP 404. */
export const SESSION_NOT_FOUND = -32001;

export const rpcError = (id: JsonRpcId, code: number, message: string, status = 200, headers: Record<string, string> = {}): Response => jsonResponse(errorMessage(id, code, message), status, headers);

export const idOf = (body: unknown): JsonRpcId => {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
};
