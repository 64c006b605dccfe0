/**
 * The list results of an upstream, cut to what the caller may use: a tool,
 * prompt or resource the caller's scopes (or a deny rule) keep them from is
 * not shown. Because the result now depends on who asked, it carries
 * `cacheScope: "private"` (MCP 2026-07-28 caching, SEP-2549) whatever the
 * upstream said: a shared cache must never hand one user's list to another.
 * Works on a JSON answer and on an SSE stream alike (the list result is the
 * event answering the request's id; other events pass untouched).
 */
import { isEventStream, rewriteSseMessages } from '@gatehouse-auth/mcp';
import type { CompiledPolicy, RuleGates } from './upstream-policy.ts';

type Result = Record<string, unknown>;

const LISTS: Record<string, { field: string; key: string; gates: (policy: CompiledPolicy) => RuleGates }> = {
  'tools/list': { field: 'tools', key: 'name', gates: (policy) => policy.tools },
  'prompts/list': { field: 'prompts', key: 'name', gates: (policy) => policy.prompts },
  'resources/list': { field: 'resources', key: 'uri', gates: (policy) => policy.resources },
  'resources/templates/list': { field: 'resourceTemplates', key: 'uriTemplate', gates: (policy) => policy.resources },
};

export const isListMethod = (method: unknown): method is string => typeof method === 'string' && method in LISTS;

/** The answer to `method` (request `id`) with only what `held` may use. */
export async function filterListResponse(response: Response, method: string, id: unknown, policy: CompiledPolicy, held: ReadonlySet<string>): Promise<Response> {
  const list = LISTS[method]!;
  const gates = list.gates(policy);
  const filterMessage = (message: unknown): string | undefined => {
    if (typeof message !== 'object' || message === null) return undefined;
    const { id: answered, result } = message as { id?: unknown; result?: Result };
    if (answered !== id || typeof result !== 'object' || result === null) return undefined;
    const items = Array.isArray(result[list.field]) ? (result[list.field] as Result[]) : [];
    const shown = items.filter((item) => typeof item?.[list.key] === 'string' && gates.visible(item[list.key] as string, held));
    return JSON.stringify({ ...message, result: { ...result, [list.field]: shown, cacheScope: 'private' } });
  };
  if (isEventStream(response) && response.body) {
    return new Response(rewriteSseMessages(response.body, { message: filterMessage }), { status: response.status, headers: response.headers });
  }
  const text = await response.text();
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return new Response(text, { status: response.status, headers: response.headers });
  }
  const filtered = filterMessage(message);
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(filtered ?? text, { status: response.status, headers });
}
