/**
 * Just enough JSON-RPC 2.0 to pre-check a POST body before the MCP
 * transport runs it: which requests it carries and how to answer one with
 * an error without running it.
 */
export type JsonRpcId = string | number | null;

export interface JsonRpcRequestView {
  id: JsonRpcId;
  method: string;
  params: Record<string, unknown>;
}

/** MCP has no "forbidden" code; -32003 sits in the implementation-defined server range. */
export const POLICY_DENIED = -32003;
export const AUTHORIZATION_UNAVAILABLE = -32001;
export const FORBIDDEN_ORIGIN = -32000;
export const INTERNAL_ERROR = -32603;
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
/** MCP 2026-07-28 Streamable HTTP: routing headers disagree with the body (routing-headers.ts). */
export const HEADER_MISMATCH = -32020;

/** The requests (messages with `method` and `id`) in a body; notifications and responses are skipped. */
export function requestsIn(body: unknown): JsonRpcRequestView[] {
  const requests: JsonRpcRequestView[] = [];
  if (Array.isArray(body)) for (const message of body) addRequest(requests, message);
  else addRequest(requests, body);
  return requests;
}

function addRequest(requests: JsonRpcRequestView[], message: unknown): void {
  if (typeof message !== 'object' || message === null) return;
  const { id, method, params } = message as { id?: unknown; method?: unknown; params?: unknown };
  if (typeof method !== 'string' || id === undefined) return;
  const safeParams = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  requests.push({ id: typeof id === 'string' || typeof id === 'number' ? id : null, method, params: safeParams });
}

export const errorMessage = (id: JsonRpcId, code: number, message: string, data?: unknown) => ({
  jsonrpc: '2.0' as const,
  id,
  error: { code, message, ...(data === undefined ? {} : { data }) },
});

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
