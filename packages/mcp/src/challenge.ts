/**
 * RFC 6750 §3 challenges as MCP uses them: 401 with `resource_metadata`
 * (RFC 9728 §5.1) and the scopes to ask for; `error="invalid_token"` when a
 * token was sent; 403 `insufficient_scope` with every scope the operation
 * needs so the client can step up in one round; 400 `invalid_request` for a
 * malformed request. Bodies are the OAuth error JSON (RFC 6750 §3.1).
 */
export interface ChallengeInput {
  resourceMetadata: string;
  scopes?: string[];
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  description?: string;
}

const quote = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function wwwAuthenticate(input: ChallengeInput): string {
  const params: string[] = [];
  if (input.error) params.push(`error=${quote(input.error)}`);
  if (input.description) params.push(`error_description=${quote(input.description)}`);
  if (input.scopes && input.scopes.length > 0) params.push(`scope=${quote(input.scopes.join(' '))}`);
  params.push(`resource_metadata=${quote(input.resourceMetadata)}`);
  return `Bearer ${params.join(', ')}`;
}

const STATUS = { invalid_token: 401, insufficient_scope: 403, invalid_request: 400 } as const;

export function challengeResponse(input: ChallengeInput): Response {
  const status = input.error ? STATUS[input.error] : 401;
  const body = input.error
    ? { error: input.error, error_description: input.description ?? defaultDescription(input.error) }
    : { error: 'unauthorized', error_description: 'A bearer token is required' };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'www-authenticate': wwwAuthenticate(input), 'cache-control': 'no-store' },
  });
}

function defaultDescription(error: keyof typeof STATUS): string {
  if (error === 'invalid_token') return 'The access token is invalid, expired, revoked or meant for another resource';
  if (error === 'insufficient_scope') return 'The access token lacks a scope this operation requires';
  return 'The request is malformed';
}
