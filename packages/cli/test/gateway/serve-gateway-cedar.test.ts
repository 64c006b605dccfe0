/**
 * Under `gatehouse serve`, an upstream's Cedar policies are its resource's
 * (`resources[].policy`, the project `gatehouse policy validate` and `test`
 * check), decided by the gateway per call; `cedar:` on such an upstream is
 * refused with its line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomToken } from '@gatehouse-auth/core';
import { REASON_META_KEY } from '@gatehouse-auth/policy';
import { loadConfigFile } from '../../src/config/load.ts';
import { startServeGateway } from '../../src/gateway/serve-upstreams.ts';
import type { ListeningGateway } from '../../src/gateway/listen-gateway.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { freePort } from '../cli/run.ts';
import { everythingStdio, serviceAgentToken } from './support.ts';

const AGENT = { id: 'acme-nightly-agent', secret: 'nightly-agent-secret-0123456789abcdef' };
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-gateway-cedar-'));
let gatehouse: RunningGatehouse | undefined;
let gateway: ListeningGateway | undefined;

afterAll(async () => {
  await gateway?.close();
  await gatehouse?.close();
});

const configText = (gwPort: number, upstreamExtra = '') => `roles:
  - name: Automation
scopes:
  - name: everything:use
    description: Use the demo tools
resources:
  - uri: http://127.0.0.1:${gwPort}/everything/mcp
    name: Everything
    scopes: [everything:use]
    organizations: [acme]
    operations:
      tools: { echo: [everything:use], get-sum: [everything:use] }
    policy:
      files: [everything.cedar]
organizations:
  - slug: acme
    name: Acme Corp
clients:
  - client_id: acme-gateway
    name: Acme MCP gateway
    grant_types: []
    secret: acme-gateway-secret-0123456789abcdef
    resource_server_for: [http://127.0.0.1:${gwPort}/everything/mcp]
  - client_id: ${AGENT.id}
    name: Nightly agent
    grant_types: [client_credentials]
    secret: ${AGENT.secret}
    org: acme
    roles: [Automation]
gateway:
  public_url: http://127.0.0.1:${gwPort}
  port: ${gwPort}
upstreams:
  - name: everything
    path: /everything/mcp
${everythingStdio}    policy:
      tools:
        - { name: echo, scopes: [everything:use] }
        - { name: get-sum, scopes: [everything:use] }
${upstreamExtra}`;

writeFileSync(
  join(dir, 'everything.cedar'),
  `@id("agents-use-tools")
permit (principal, action in Action::"tools", resource);

@id("sum-needs-reason")
@reason("say why you add these numbers")
forbid (principal, action == Action::"tool:get-sum", resource) unless { context has reason };
`,
);

describe('gatehouse serve: the gateway decides with the Cedar policies of the upstream’s resource', () => {
  it('refuses get-sum without a stated reason and runs it with one', async () => {
    const gwPort = await freePort();
    const path = join(dir, 'gatehouse.yaml');
    writeFileSync(path, configText(gwPort));
    const config = await loadConfigFile(path, { allowLiteralSecrets: true });
    gatehouse = await startGatehouse({ databaseUrl: 'sqlite::memory:', config, adminKey: randomToken() });
    gateway = await startServeGateway(path, config, gatehouse);
    const resource = `http://127.0.0.1:${gwPort}/everything/mcp`;
    const token = await serviceAgentToken(gatehouse.issuer, AGENT, 'everything:use', resource);
    const client = new Client({ name: 'serve-gateway-cedar', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: -32003, message: expect.stringContaining('say why you add these numbers') });
      const summed = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 }, _meta: { [REASON_META_KEY]: 'nightly totals' } });
      expect(JSON.stringify(summed.content)).toContain('3');
    } finally {
      await client.close();
    }
  });

  it('refuses `cedar:` on a serve upstream, pointing at its line', async () => {
    const gwPort = await freePort();
    const path = join(dir, 'with-cedar.yaml');
    writeFileSync(path, configText(gwPort, '    cedar:\n      files: [everything.cedar]\n'));
    const config = await loadConfigFile(path, { allowLiteralSecrets: true });
    const running = await startGatehouse({ databaseUrl: 'sqlite::memory:', config, adminKey: randomToken() });
    try {
      await expect(startServeGateway(path, config, running)).rejects.toThrow(
        /with-cedar\.yaml:\d+:\d+: upstreams\[0\]\.cedar: under gatehouse serve, give the Cedar policies on the upstream’s resource/,
      );
    } finally {
      await running.close();
    }
  });
});
