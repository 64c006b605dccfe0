/**
 * Reads authorization request parameters from the query (GET) or an
 * application/x-www-form-urlencoded body (POST, OIDC Core §3.1.2.1).
 * RFC 6749 §3.1: parameters MUST NOT be included more than once, so
 * repeated ones are recorded and rejected by the validation steps.
 */
import type { Context } from 'hono';

export interface RawParams {
  get(name: string): string | undefined;
  /** Names that appeared more than once. */
  repeated: ReadonlySet<string>;
}

function fromSearchParams(params: URLSearchParams): RawParams {
  const repeated = new Set<string>();
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) repeated.add(key);
    seen.add(key);
  }
  return { get: (name) => params.get(name) ?? undefined, repeated };
}

export async function readAuthorizationParams(c: Context): Promise<RawParams> {
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return fromSearchParams(new URLSearchParams());
    return fromSearchParams(new URLSearchParams(await c.req.text()));
  }
  return fromSearchParams(new URL(c.req.url).searchParams);
}
