/**
 * Finds the gate of the operation a JSON-RPC request invokes: tools/call by
 * name, prompts/get by name, resources/read by exact URI then by template.
 * Requests that invoke nothing gated (initialize, the list methods, ping) return
 * undefined: the lists are filtered by the per-request server instead.
 */
import type { GatedOperations, Gate } from './gated-server.ts';
import type { JsonRpcRequestView } from './jsonrpc.ts';
import type { Operation } from './policy.ts';
import type { ScopeRequirement } from './requirements.ts';

export interface GatedOperation {
  operation: Operation;
  gate: Gate & { requires: ScopeRequirement };
}

const objectOrEmpty = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** `_meta` travels with the operation so a policy can read the caller's stated reason. */
const metaOf = (params: Record<string, unknown>): { meta?: Record<string, unknown> } =>
  typeof params._meta === 'object' && params._meta !== null && !Array.isArray(params._meta) ? { meta: params._meta as Record<string, unknown> } : {};

export function gatedOperation(request: JsonRpcRequestView, operations: GatedOperations): GatedOperation | undefined {
  const { method, params } = request;
  if (method === 'tools/call' && typeof params.name === 'string') {
    const gate = operations.tools.get(params.name);
    return gate && { operation: { kind: 'tool', name: params.name, arguments: objectOrEmpty(params.arguments), ...metaOf(params) }, gate };
  }
  if (method === 'prompts/get' && typeof params.name === 'string') {
    const gate = operations.prompts.get(params.name);
    return gate && { operation: { kind: 'prompt', name: params.name, arguments: objectOrEmpty(params.arguments), ...metaOf(params) }, gate };
  }
  if (method === 'resources/read' && typeof params.uri === 'string') {
    // Match exactly as McpServer will (on the WHATWG-normalized URI), or a
    // differently written URI could reach a handler without its gate.
    const uri = normalizedUri(params.uri);
    if (uri === undefined) return undefined;
    const exact = operations.resources.get(uri);
    if (exact) return { operation: { kind: 'resource', name: uri, arguments: {}, ...metaOf(params) }, gate: exact };
    for (const { template, gate } of operations.templates) {
      const variables = template.uriTemplate.match(uri);
      if (variables) return { operation: { kind: 'resource', name: uri, arguments: { ...variables }, ...metaOf(params) }, gate };
    }
  }
  return undefined;
}

function normalizedUri(value: string): string | undefined {
  try {
    return new URL(value).toString();
  } catch {
    return undefined; // McpServer rejects it too
  }
}
