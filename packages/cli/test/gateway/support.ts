/** What the gateway command tests share: server-everything as a stdio upstream, and a service agent's token. */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** server-everything's entry point, run with `stdio` as an unmodified upstream. */
const EVERYTHING = fileURLToPath(new URL('../../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));

/** The YAML of a stdio upstream running server-everything with this Node (indented for `upstreams[]`). */
export const everythingStdio = `    stdio:
      command: ${process.execPath}
      args: [${JSON.stringify(EVERYTHING)}, stdio]
`;

/** A client_credentials access token for `resource` (RFC 6749 §4.4, client_secret_basic). */
export async function serviceAgentToken(issuer: string, agent: { id: string; secret: string }, scope: string, resource: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${agent.id}:${agent.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}
