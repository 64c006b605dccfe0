/**
 * Requests the SDK guard has no gate for but which still touch a named
 * tool, prompt or resource: a subscription to a resource and a completion
 * of a prompt's (or resource template's) arguments. They are held to the
 * same rules as the call itself. A call whose target cannot be read (a
 * tools/call without a name, a resources/read of something that is not a
 * URI) is refused here too, so nothing the policy cannot see reaches the
 * upstream.
 */
import { POLICY_DENIED } from '@gatehouse-auth/mcp';
import type { CompiledPolicy } from './upstream-policy.ts';

const INVALID_PARAMS = -32602;

export interface Refusal {
  code: number;
  message: string;
}

const normalized = (uri: unknown): string | undefined => {
  if (typeof uri !== 'string') return undefined;
  try {
    return new URL(uri).toString();
  } catch {
    return undefined;
  }
};

export function refuseUnseenTarget(body: unknown, policy: CompiledPolicy, held: ReadonlySet<string>): Refusal | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { method, params: raw } = body as { method?: unknown; params?: unknown };
  const params = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const denied = (what: string): Refusal => ({ code: POLICY_DENIED, message: `Forbidden: the gateway's policy does not let you use ${what}` });
  switch (method) {
    case 'tools/call':
    case 'prompts/get':
      return typeof params.name === 'string' ? undefined : { code: INVALID_PARAMS, message: 'Invalid params: name must be a string' };
    case 'resources/read':
      return normalized(params.uri) ? undefined : { code: INVALID_PARAMS, message: 'Invalid params: uri must be an absolute URI' };
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      const uri = normalized(params.uri);
      if (!uri) return { code: INVALID_PARAMS, message: 'Invalid params: uri must be an absolute URI' };
      return policy.resources.visible(uri, held) ? undefined : denied(`resource ${uri}`);
    }
    case 'completion/complete': {
      const ref = (typeof params.ref === 'object' && params.ref !== null ? params.ref : {}) as Record<string, unknown>;
      if (ref.type === 'ref/prompt' && typeof ref.name === 'string') return policy.prompts.visible(ref.name, held) ? undefined : denied(`prompt ${ref.name}`);
      if (ref.type === 'ref/resource' && typeof ref.uri === 'string') return policy.resources.visible(ref.uri, held) ? undefined : denied(`resource ${ref.uri}`);
      return { code: INVALID_PARAMS, message: 'Invalid params: ref must name a prompt or a resource' };
    }
    default:
      return undefined;
  }
}
