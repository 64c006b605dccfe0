import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { isOptionalScope } from '../../src/config/schema.ts';

const EXAMPLE = new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url);

/** Parses and returns the formatted problems (empty when valid). */
function problems(text: string, options: Parameters<typeof parseConfig>[2] = {}): string[] {
  try {
    parseConfig(text, 'gatehouse.yaml', options);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
}

const BASE = `roles:
  - name: Support
scopes:
  - name: tickets:read
    allowed_roles: [Support]
organizations:
  - slug: acme
    name: Acme
`;

describe('gatehouse.yaml: the example company', () => {
  it('is valid and declares four roles, eight scopes, one resource, one org and four users', async () => {
    const config = parseConfig(await readFile(EXAMPLE, 'utf8'));
    expect(config.roles.map((r) => r.name)).toEqual(['Management', 'HR', 'Engineering', 'Support']);
    expect(config.scopes).toHaveLength(8);
    expect(config.resources[0]?.scopes).toHaveLength(8);
    expect(config.organizations.map((o) => o.slug)).toEqual(['acme']);
    expect(config.users.map((u) => u.email)).toEqual(['maria@acme.test', 'hana@acme.test', 'eli@acme.test', 'sam@acme.test']);
  });

  it('lets only Support grant ticket:write:update and only Management grant finance:read:revenue', async () => {
    const config = parseConfig(await readFile(EXAMPLE, 'utf8'));
    const roles = (name: string) => config.scopes.find((s) => s.name === name)?.allowed_roles;
    expect(roles('ticket:write:update')).toEqual(['Support']);
    expect(roles('finance:read:revenue')).toEqual(['Management']);
    expect(roles('employees:read:public')).toEqual(['Management', 'HR', 'Engineering', 'Support']);
  });
});

describe('gatehouse.yaml: errors name file, line, column and path', () => {
  it('reports an unknown role in allowed_roles at the line of that list item', () => {
    const text = `roles:\n  - name: Support\nscopes:\n  - name: tickets:read\n    allowed_roles: [Support]\n  - name: finance:read:revenue\n    allowed_roles:\n      - Finance\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:8:9: scopes[1].allowed_roles[0]: unknown role "Finance"']);
  });

  it('reports a membership naming an unknown organization', () => {
    const text = `${BASE}users:\n  - email: sam@acme.test\n    name: Sam\n    memberships:\n      - org: globex\n        roles: [Support]\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:13:14: users[0].memberships[0].org: unknown organization "globex"']);
  });

  it('reports a membership naming an unknown role', () => {
    const text = `${BASE}users:\n  - email: sam@acme.test\n    name: Sam\n    memberships: [{ org: acme, roles: [Support, Admin] }]\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:12:49: users[0].memberships[0].roles[1]: unknown role "Admin"']);
  });

  it('reports a resource naming an unknown scope', () => {
    const text = `${BASE}resources:\n  - uri: https://mcp.acme.test/mcp\n    name: Tools\n    scopes: [tickets:read, tickets:write]\n    organizations: [acme]\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:12:28: resources[0].scopes[1]: unknown scope "tickets:write"']);
  });

  it('Organizations bound resources: reports a resource naming an unknown organization at its line', () => {
    const text = `${BASE}resources:\n  - uri: https://mcp.acme.test/mcp\n    name: Tools\n    organizations: [acme, globex]\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:12:27: resources[0].organizations[1]: unknown organization "globex"']);
  });

  it('Organizations bound resources: refuses a resource that names neither its organizations nor multi_tenant, or both', () => {
    const neither = `${BASE}resources:\n  - uri: https://mcp.acme.test/mcp\n    name: Tools\n`;
    expect(problems(neither)).toEqual(['gatehouse.yaml:10:5: resources[0].organizations: a resource must name the organizations it serves (organizations: [slug, ...]) or be multi_tenant: true']);
    const both = `${BASE}resources:\n  - uri: https://mcp.acme.test/mcp\n    name: Tools\n    organizations: [acme]\n    multi_tenant: true\n`;
    expect(problems(both)).toEqual(['gatehouse.yaml:12:20: resources[0].organizations: give organizations or multi_tenant: true, not both']);
    expect(problems(`${BASE}resources:\n  - uri: https://mcp.acme.test/mcp\n    name: Tools\n    multi_tenant: true\n`)).toEqual([]);
  });

  it('Consent that explains: every scope is optional unless required: true; optional: false (deprecated) still means required', () => {
    const text = `scopes:\n  - name: tickets:read\n    kind: user\n  - name: tickets:write\n    kind: user\n    required: true\n  - name: code:read\n    kind: user\n    optional: false\n  - name: code:write\n    kind: user\n    optional: true\n`;
    const config = parseConfig(text);
    expect(config.scopes.map((scope) => [scope.name, isOptionalScope(scope)])).toEqual([
      ['tickets:read', true],
      ['tickets:write', false],
      ['code:read', false],
      ['code:write', true],
    ]);
  });

  it('Consent that explains: refuses a scope both required: true and optional: true at its line', () => {
    const text = `scopes:\n  - name: tickets:read\n    kind: user\n    required: true\n    optional: true\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:5:15: scopes[0].optional: a scope cannot be both required: true and optional: true']);
  });

  it('Consent that explains: refuses an operation that requires a scope the resource does not have, at that scope', () => {
    const text = `${BASE.replace('scopes:\n', 'scopes:\n  - name: finance:read\n    allowed_roles: [Support]\n')}resources:\n  - uri: https://mcp.acme.test/mcp\n    name: Tools\n    scopes: [tickets:read]\n    organizations: [acme]\n    operations:\n      tools:\n        list_tickets: [tickets:read]\n        revenue_report: [finance:read]\n`;
    expect(problems(text)).toEqual(["gatehouse.yaml:19:26: resources[0].operations.tools.revenue_report[0]: finance:read is not one of this resource's scopes"]);
  });

  it('Resource servers: reports resource_server_for naming an unknown resource, and a public client as resource server', () => {
    const resource = `resources:\n  - uri: https://mcp.acme.test/mcp\n    name: Tools\n    organizations: [acme]\n`;
    const unknown = `${BASE}${resource}clients:\n  - client_id: rs\n    name: RS\n    grant_types: []\n    secret: rs-secret-0123456789abcdef\n    resource_server_for: [https://other.acme.test/mcp]\n`;
    expect(problems(unknown, { allowLiteralSecrets: true })).toEqual(['gatehouse.yaml:18:27: clients[0].resource_server_for[0]: unknown resource "https://other.acme.test/mcp"']);
    const publicRs = `${BASE}${resource}clients:\n  - client_id: rs\n    name: RS\n    grant_types: []\n    token_endpoint_auth_method: none\n    resource_server_for: [https://mcp.acme.test/mcp]\n`;
    expect(problems(publicRs)).toEqual(['gatehouse.yaml:18:26: clients[0].resource_server_for: a resource server must be a confidential client (it authenticates to introspect)']);
  });

  it('reports a misspelt key at the key itself', () => {
    const text = `roles:\n  - name: Support\n    permisions: [x]\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:3:5: roles[0].permisions: unknown key "permisions"']);
  });

  it('reports a scope name outside resource:verb[:qualifier]', () => {
    const text = `scopes:\n  - name: Tickets\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:2:11: scopes[0].name: must be resource:verb[:qualifier] in lower case']);
  });

  it('reports a wrong value type with the expected one', () => {
    const text = `${BASE}signup:\n  public: "yes"\n`;
    const [line] = problems(text);
    expect(line).toMatch(/^gatehouse\.yaml:10:11: signup\.public: .*boolean/);
  });

  it('reports a missing required key at its parent', () => {
    const text = `organizations:\n  - slug: acme\n`;
    const [line] = problems(text);
    expect(line).toMatch(/^gatehouse\.yaml:2:5: organizations\[0\]\.name: /);
  });

  it('reports every problem at once, not only the first', () => {
    const text = `roles:\n  - name: Support\nscopes:\n  - name: a:b\n    allowed_roles: [HR, Finance]\n`;
    expect(problems(text)).toHaveLength(2);
  });

  it('reports duplicate names', () => {
    const text = `roles:\n  - name: Support\n  - name: Support\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:3:11: roles[1].name: duplicate role "Support"']);
  });

  it('reports YAML syntax errors with their position', () => {
    const [line] = problems(`roles:\n  - name: [Support\n`);
    expect(line).toMatch(/^gatehouse\.yaml:\d+:\d+: /);
  });

  it('refuses a confidential client without a secret', () => {
    const text = `clients:\n  - client_id: reporter\n    name: Reporter\n    redirect_uris: [https://r.acme.test/cb]\n`;
    expect(problems(text)).toEqual(['gatehouse.yaml:2:5: clients[0].secret_env: a client_secret_basic client needs secret_env (or secret in development)']);
  });

  it('refuses a service agent without an organization', () => {
    const text = `clients:\n  - client_id: bot\n    name: Bot\n    grant_types: [client_credentials]\n    secret_env: BOT_SECRET\n`;
    expect(problems(text, { env: { BOT_SECRET: 'x'.repeat(32) } })).toEqual(['gatehouse.yaml:2:5: clients[0].org: a client_credentials service agent needs org']);
  });
});

describe('gatehouse.yaml: secrets', () => {
  const client = `clients:\n  - client_id: mcp\n    name: MCP\n    grant_types: []\n    secret_env: MCP_SECRET\n`;

  it('reads secret_env from the environment', () => {
    const config = parseConfig(client, 'gatehouse.yaml', { env: { MCP_SECRET: 's'.repeat(40) } });
    expect(config.clients[0]?.secret).toBe('s'.repeat(40));
  });

  it('names the missing environment variable and the line that needs it', () => {
    expect(problems(client, { env: {} })).toEqual(['gatehouse.yaml:5:17: clients[0].secret_env: environment variable MCP_SECRET is not set']);
  });

  it('refuses a literal secret when literals are not allowed (public issuer)', () => {
    const text = `clients:\n  - client_id: mcp\n    name: MCP\n    grant_types: []\n    secret: a-literal-secret-value\n`;
    expect(problems(text, { allowLiteralSecrets: false })).toEqual(['gatehouse.yaml:5:13: clients[0].secret: a literal secret is for development only; use secret_env with a non-loopback issuer']);
  });

  it('refuses a literal password when literals are not allowed', () => {
    const text = `users:\n  - email: a@acme.test\n    name: A\n    password: hunter2hunter2\n`;
    expect(problems(text, { allowLiteralSecrets: false })[0]).toMatch(/^gatehouse\.yaml:4:15: users\[0\]\.password: a literal password is for development only/);
  });
});
