/** A small config with one service agent, so tests get tokens without a browser. */
import { parseConfig } from '../../src/config/load.ts';

export const BOT = { id: 'ops-bot', secret: 'ops-bot-secret-for-tests-only-0123456789' };
export const RESOURCE = 'https://mcp.ops.example/mcp';

export const OPS_YAML = `
roles:
  - { name: Support, permissions: [tickets:view] }
scopes:
  - { name: tickets:read, allowed_roles: [Support] }
resources:
  - { uri: ${RESOURCE}, name: Ops tools, organizations: [acme], scopes: [tickets:read] }
organizations:
  - { slug: acme, name: Acme }
clients:
  - client_id: ${BOT.id}
    name: Ops bot
    grant_types: [client_credentials]
    token_endpoint_auth_method: client_secret_basic
    secret: ${BOT.secret}
    org: acme
    roles: [Support]
`;

export const opsConfig = () => parseConfig(OPS_YAML);

export const basic = `Basic ${Buffer.from(`${BOT.id}:${BOT.secret}`).toString('base64')}`;

export function tokenRequest(issuer: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic, ...headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: 'tickets:read' }),
  });
}
