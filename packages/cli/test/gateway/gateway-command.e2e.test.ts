/**
 * The commands as an operator runs them (the built bin): `gatehouse serve`
 * with `upstreams:` runs the gateway beside the authorization server, a
 * service agent's client_credentials token reaches server-everything (stdio)
 * through it with the official SDK client, and the decisions land in the
 * audit log `gatehouse audit query` reads; `gatehouse gateway` with a policy
 * naming an unknown scope refuses to start and says where.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createStore } from '@gatehouse-auth/store';
import { freePort, runCli, STACK_LINE, startCli, type LongRunning } from '../cli/run.ts';
import { everythingStdio, serviceAgentToken } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-gateway-cli-'));
const AGENT = { id: 'acme-nightly-agent', secret: 'nightly-agent-secret-0123456789abcdef' };
/** The authorization server's side: Acme, a service agent, and the gateway's introspection client for `resource`. */
const acmeWithGateway = (issuer: string, resource: string, gatewaySecret: string) => `issuer: ${issuer}
roles:
  - name: Automation
scopes:
  - name: everything:use
    description: Use the demo tools
resources:
  - uri: ${resource}
    name: Everything
    scopes: [everything:use]
    organizations: [acme]
organizations:
  - slug: acme
    name: Acme Corp
clients:
  - client_id: acme-gateway
    name: Acme MCP gateway
    grant_types: []
    secret: ${gatewaySecret}
    resource_server_for: [${resource}]
  - client_id: ${AGENT.id}
    name: Nightly agent
    grant_types: [client_credentials]
    secret: ${AGENT.secret}
    org: acme
    roles: [Automation]
`;
/** server-everything over stdio at /everything/mcp, echo allowed with everything:use; `extra` adds keys to the upstream. */
const everythingUpstream = (extra = '') => `upstreams:
  - name: everything
    path: /everything/mcp${extra}
${everythingStdio}    policy:
      tools:
        - name: echo
          scopes: [everything:use]
`;
let serve: LongRunning | undefined;
let standalone: LongRunning | undefined;

afterAll(async () => {
  await standalone?.stop();
  await serve?.stop();
});

describe('gatehouse serve with upstreams:', () => {
  it('serves the upstream through the gateway to a token holder and audits the call with its upstream', async () => {
    const [asPort, gwPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${asPort}`;
    const resource = `http://127.0.0.1:${gwPort}/everything/mcp`;
    const config = join(dir, 'gatehouse.yaml');
    writeFileSync(
      config,
      `${acmeWithGateway(issuer, resource, 'acme-gateway-secret-0123456789abcdef')}gateway:
  public_url: http://127.0.0.1:${gwPort}
  port: ${gwPort}
${everythingUpstream()}`,
    );
    const database = `sqlite:${join(dir, 'gatehouse.sqlite')}`;
    serve = await startCli(['serve', '--config', config, '--port', String(asPort)], 'Gatehouse gateway listening', { env: { GATEHOUSE_DATABASE_URL: database } });

    const token = await serviceAgentToken(issuer, AGENT, 'everything:use', resource);

    const client = new Client({ name: 'cli-gateway-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
    expect(await client.callTool({ name: 'echo', arguments: { message: 'through serve', api_token: 'never-in-the-log' } })).toEqual({ content: [{ type: 'text', text: 'Echo: through serve' }] });
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32003 });
    await client.close();
    expect(await serve.stop(), serve.stderr()).toBe(0);
    serve = undefined;

    const audit = await runCli(['audit', 'query', '--org', 'acme', '--type', 'authz.decision', '--json', '--oldest-first', '--database-url', database]);
    expect(audit.code).toBe(0);
    const records = (JSON.parse(audit.stdout) as { records: { tool: string; result: string; params: Record<string, unknown>; details: Record<string, unknown> }[] }).records;
    expect(records.map((r) => [r.tool, r.result, r.details.upstream])).toEqual([
      ['echo', 'success', 'everything'],
      ['get-env', 'denied', 'everything'],
    ]);
    expect(records[0]!.params).toEqual({ message: 'through serve', api_token: '[redacted]' });
  });
});

describe('gatehouse gateway --config', () => {
  it('refuses to start on a policy naming an unknown scope, with file, line and reason, no stack trace', async () => {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      `issuer: https://auth.acme.test
gateway:
  public_url: https://mcp.acme.test
introspection:
  client_id: acme-gateway
  client_secret_env: GATEWAY_SECRET
upstreams:
  - name: files
    path: /files/mcp
    organizations: [org_acme]
    scopes: [files:read]
    stdio:
      command: npx
    policy:
      tools:
        - name: write_file
          scopes: [files:write]
`,
    );
    const result = await runCli(['gateway', '--config', file], { env: { GATEWAY_SECRET: 'gateway-secret-0123456789abcdef' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('gateway.yaml:17:20: upstreams[0].policy.tools[0].scopes[0]: unknown scope "files:write"');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('gatehouse gateway --config with audit:', () => {
  it('writes every call and denial of the standalone gateway to a hash-chained audit log in its own database', async () => {
    const [asPort, gwPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${asPort}`;
    const resource = `http://127.0.0.1:${gwPort}/everything/mcp`;
    const gatewaySecret = 'standalone-gateway-secret-0123456789abcdef';
    const config = join(dir, 'standalone-as.yaml');
    writeFileSync(config, acmeWithGateway(issuer, resource, gatewaySecret));
    const database = `sqlite:${join(dir, 'standalone-as.sqlite')}`;
    serve = await startCli(['serve', '--config', config, '--port', String(asPort)], 'Gatehouse listening', { env: { GATEHOUSE_DATABASE_URL: database } });
    const asStore = await createStore(database);
    const acme = (await asStore.orgs.getBySlug('acme'))!.id;
    await asStore.close();

    const gatewayFile = join(dir, 'standalone-gateway.yaml');
    writeFileSync(
      gatewayFile,
      `issuer: ${issuer}
gateway:
  public_url: http://127.0.0.1:${gwPort}
  port: ${gwPort}
introspection:
  client_id: acme-gateway
  client_secret_env: GATEWAY_SECRET
audit:
  database_url_env: GATEWAY_AUDIT_DATABASE_URL
${everythingUpstream(`\n    organizations: [${acme}]\n    scopes: [everything:use]`)}`,
    );
    const auditDatabase = `sqlite:${join(dir, 'gateway-audit.sqlite')}`;
    standalone = await startCli(['gateway', '--config', gatewayFile], 'Gatehouse gateway listening', {
      env: { GATEWAY_SECRET: gatewaySecret, GATEWAY_AUDIT_DATABASE_URL: auditDatabase },
    });

    const token = await serviceAgentToken(issuer, AGENT, 'everything:use', resource);
    const client = new Client({ name: 'cli-standalone-gateway-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect(await client.callTool({ name: 'echo', arguments: { message: 'standalone', api_token: 'never-stored' } })).toEqual({ content: [{ type: 'text', text: 'Echo: standalone' }] });
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32003 });
    await client.close();
    expect(await standalone.stop(), standalone.stderr()).toBe(0);
    standalone = undefined;
    expect(await serve.stop(), serve.stderr()).toBe(0);
    serve = undefined;

    const store = await createStore(auditDatabase);
    try {
      const rows = await store.audit.scan(acme, 0, 10);
      expect(rows.map((r) => [r.type, r.tool, r.result, JSON.parse(r.details ?? '{}').upstream])).toEqual([
        ['authz.decision', 'echo', 'success', 'everything'],
        ['authz.decision', 'get-env', 'denied', 'everything'],
      ]);
      expect(JSON.parse(rows[0]!.params!)).toEqual({ message: 'standalone', api_token: '[redacted]' });
    } finally {
      await store.close();
    }
    const verified = await runCli(['audit', 'verify', '--json', '--allow-unanchored', '--database-url', auditDatabase]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(acme);
  });

  it('refuses to start when the audit database variable is not set, saying which', async () => {
    const file = join(dir, 'gateway-audit-unset.yaml');
    writeFileSync(
      file,
      `issuer: https://auth.acme.test
gateway:
  public_url: https://mcp.acme.test
introspection:
  client_id: acme-gateway
  client_secret_env: GATEWAY_SECRET
audit:
  database_url_env: GATEWAY_AUDIT_DATABASE_URL
upstreams:
  - name: files
    path: /files/mcp
    organizations: [org_acme]
    scopes: [files:read]
    stdio:
      command: npx
    policy:
      tools:
        - name: read_file
          scopes: [files:read]
`,
    );
    const result = await runCli(['gateway', '--config', file], { env: { GATEWAY_SECRET: 'gateway-secret-0123456789abcdef', GATEWAY_AUDIT_DATABASE_URL: undefined } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('gateway-audit-unset.yaml:8:21: audit.database_url_env: environment variable GATEWAY_AUDIT_DATABASE_URL is not set');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
