/**
 * MCP 2026-07-28 Streamable HTTP "Request Metadata": a POST mirrors its
 * `method` into `Mcp-Method` and, for methods that name something, the
 * name or URI into `Mcp-Name`, so a gateway or load balancer can route and
 * enforce without reading the body. A server that reads the body MUST
 * refuse any disagreement (400, -32020 HeaderMismatch): otherwise an
 * intermediary is told `tools/list` while the server runs `update_ticket`.
 *
 * Checked for every request, whatever its method. Presence is required only
 * from clients that declare a protocol version defining the headers
 * (`MCP-Protocol-Version` ≥ 2026-07-28); older clients never send them.
 */
import type { HeaderReader } from './request-head.ts';

/** The body field `Mcp-Name` mirrors, per method (the spec's three, plus subscribe/unsubscribe, which name a URI too). */
const NAME_SOURCE: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'resources/subscribe': 'uri',
  'resources/unsubscribe': 'uri',
};
/** Methods whose requests MUST carry `Mcp-Name` (2026-07-28 "Standard Request Headers"). */
const NAME_REQUIRED = new Set(['tools/call', 'resources/read', 'prompts/get']);
/** The first revision that defines the headers (dates compare as strings). */
const HEADERS_DEFINED_FROM = '2026-07-28';

const BASE64_SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** `Mcp-Name` as sent, or its Base64-sentinel form decoded; undefined when the sentinel is malformed. */
export function decodeMcpName(value: string): string | undefined {
  if (!value.startsWith('=?base64?')) return value;
  const match = BASE64_SENTINEL.exec(value);
  if (!match) return undefined;
  const bytes = Buffer.from(match[1]!, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Why the routing headers disagree with the single JSON-RPC message `message`, or undefined when they agree. */
export function routingHeaderMismatch(headers: HeaderReader, message: Record<string, unknown>): string | undefined {
  const method = typeof message.method === 'string' ? message.method : undefined;
  const params = typeof message.params === 'object' && message.params !== null ? (message.params as Record<string, unknown>) : {};
  const required = method !== undefined && (headers.get('mcp-protocol-version') ?? '') >= HEADERS_DEFINED_FROM;

  const methodHeader = headers.get('mcp-method');
  if (methodHeader === null) {
    if (required) return 'Header mismatch: the Mcp-Method header is missing';
  } else if (methodHeader !== method) {
    return `Header mismatch: Mcp-Method header ${JSON.stringify(methodHeader)} does not match the body's method ${JSON.stringify(method ?? null)}`;
  }

  const source = method === undefined ? undefined : NAME_SOURCE[method];
  const bodyName = source === undefined ? undefined : params[source];
  const nameHeader = headers.get('mcp-name');
  if (nameHeader === null) {
    return required && NAME_REQUIRED.has(method ?? '') && typeof bodyName === 'string' ? 'Header mismatch: the Mcp-Name header is missing' : undefined;
  }
  const name = decodeMcpName(nameHeader);
  if (name === undefined) return 'Header mismatch: the Mcp-Name header is not valid =?base64?…?= encoding';
  // A name the body does not carry (tools/list with Mcp-Name: update_ticket) disagrees too.
  if (typeof bodyName !== 'string' || name !== bodyName)
    return `Header mismatch: Mcp-Name header does not match the body's ${source === undefined ? 'method, which names nothing' : `params.${source}`}`;
  return undefined;
}
