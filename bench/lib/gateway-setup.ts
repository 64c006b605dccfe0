/**
 * What the gateway benches (bench/gateway.ts, bench/gateway-alloc.ts) set up
 * alike: server-everything over Streamable HTTP as the upstream, a Gatehouse
 * in the bench's process that knows the gateway as a resource server and a
 * service agent, the gateway's config file, and the agent's token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, startGatehouse } from '@gatehouse-auth/cli';
import { basicAuth, form } from './load.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const EVERYTHING = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
/** The `gatehouse` bin as npm installs it: the built CLI, plain node (no TS loader, no source condition). */
export const CLI = join(root, 'packages/cli/dist/bin.js');
export const GATEWAY_CLIENT = { id: 'bench-gateway', secret: 'bench-gateway-secret-0123456789abcdef' };
const AGENT = { id: 'bench-agent', secret: 'bench-agent-secret-0123456789abcdef' };
/** The environment variable the gateway reads its introspection secret from (gateway.yaml's client_secret_env). */
export const GATEWAY_SECRET_ENV = 'BENCH_GATEWAY_SECRET';

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Polls `url` until it answers at all, or fails if the child exits or a minute passes. */
export async function waitFor(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const up = await fetch(url).then(
      async (response) => (await response.body?.cancel(), true),
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * server-everything over Streamable HTTP on `port`, answering: `command` is node and its arguments before
 * the script (a bench may prefix taskset or add node flags), `env` goes beside PORT.
 */
export async function startEverything(port: number, command: [string, string[]] = [process.execPath, []], env: Record<string, string> = {}): Promise<ChildProcess> {
  const [file, args] = command;
  const upstream = spawn(file, [...args, EVERYTHING, 'streamableHttp'], { env: { ...process.env, ...env, PORT: String(port), NODE_OPTIONS: '' }, stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${port}/mcp`, upstream, 'server-everything').catch((error: unknown) => {
    upstream.kill('SIGTERM');
    throw error;
  });
  return upstream;
}

export type BenchGatehouse = Awaited<ReturnType<typeof startGatehouse>>;

/** Gatehouse (in memory) with the gateway's resource, its introspection client and a service agent of Acme. */
export function startBenchGatehouse(resource: string): Promise<BenchGatehouse> {
  return startGatehouse({
    databaseUrl: 'sqlite::memory:',
    config: configSchema.parse({
      roles: [{ name: 'Automation' }],
      scopes: [{ name: 'everything:use', description: 'Use the demo tools' }],
      resources: [{ uri: resource, name: 'Everything', scopes: ['everything:use'], organizations: ['acme'] }],
      organizations: [{ slug: 'acme', name: 'Acme Corp' }],
      clients: [
        { client_id: GATEWAY_CLIENT.id, name: 'Gateway', grant_types: [], secret: GATEWAY_CLIENT.secret, resource_server_for: [resource] },
        { client_id: AGENT.id, name: 'Agent', grant_types: ['client_credentials'], secret: AGENT.secret, org: 'acme', roles: ['Automation'] },
      ],
    }),
  });
}

/** gateway.yaml: the upstream under /everything/mcp, `echo` allowed with everything:use, for Acme. */
export async function writeGatewayConfig(
  path: string,
  gatehouse: BenchGatehouse,
  { gatewayOrigin, gatewayPort, upstreamUrl }: { gatewayOrigin: string; gatewayPort: number; upstreamUrl: string },
): Promise<void> {
  const acme = await gatehouse.store.orgs.getBySlug('acme');
  writeFileSync(
    path,
    [
      `issuer: ${gatehouse.issuer}`,
      'gateway:',
      `  public_url: ${gatewayOrigin}`,
      `  port: ${gatewayPort}`,
      'introspection:',
      `  client_id: ${GATEWAY_CLIENT.id}`,
      `  client_secret_env: ${GATEWAY_SECRET_ENV}`,
      'upstreams:',
      '  - name: everything',
      '    path: /everything/mcp',
      `    organizations: [${acme!.id}]`,
      '    scopes: [everything:use]',
      '    http:',
      `      url: ${upstreamUrl}`,
      '    policy:',
      '      tools:',
      '        - name: echo',
      '          scopes: [everything:use]',
      '          arguments: { message: { max_length: 1000 } }',
      '',
    ].join('\n'),
  );
}

/** The service agent's access token for `resource` (client_credentials). */
export async function agentToken(gatehouse: BenchGatehouse, resource: string): Promise<string> {
  const response = await fetch(`${gatehouse.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(AGENT.id, AGENT.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', scope: 'everything:use', resource }),
  });
  if (!response.ok) throw new Error(`the agent's token request failed: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
