/**
 * A real Gatehouse (config as code, in-memory SQLite) and the gateway in
 * front of unmodified MCP servers, each upstream its own protected resource
 * with its own scopes. The gateway is a confidential client of Gatehouse
 * that is the resource server for every upstream's URI (it introspects and
 * follows the revocation stream).
 */
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomToken } from '@gatehouse-auth/core';
import { configSchema, startGatehouse, type ConfigInput, type RunningGatehouse } from '@gatehouse-auth/cli';
import { listen, type Listening } from '../../../authorization-server/test/support/listen.ts';
import { createGateway, type Gateway, type GatewayDecisionRecord, type UpstreamOptions } from '../../src/index.ts';
import { EVERYTHING_BIN, FILESYSTEM_BIN, startEverythingHttp, type RunningHttpUpstream } from './upstream-servers.ts';

export const GATEWAY_CLIENT = { clientId: 'acme-mcp-gateway', clientSecret: 'acme-gateway-secret-0123456789abcdef' };
export const ALICE = { email: 'alice@acme.test', password: 'correct horse battery staple', name: 'Alice Engineer' };
export const BOB = { email: 'bob@acme.test', password: 'tr0ub4dor & 3 engineers', name: 'Bob Engineer' };

/** What both everything upstreams allow: the same policy over stdio and over HTTP. */
export const everythingPolicy: UpstreamOptions['policy'] = {
  tools: [
    { name: 'echo', scopes: ['everything:use'], arguments: { message: { maxLength: 200 } } },
    { name: 'get-sum', scopes: ['everything:use'] },
    { name: 'trigger-*', scopes: ['everything:use'] },
    { name: 'get-env', deny: true },
    { name: 'gzip-file-as-resource', scopes: ['everything:admin'] },
  ],
  resources: [{ name: 'demo://resource/static/*', scopes: ['everything:use'] }],
  prompts: [{ name: 'simple-prompt', scopes: ['everything:use'] }],
  default: 'deny',
};

export interface GatewayStack {
  gatehouse: RunningGatehouse;
  gateway: Gateway;
  listening: Listening;
  everythingHttp: RunningHttpUpstream;
  /** Per-user home directories the filesystem upstream serves ({subject} in its command). */
  homes: string;
  decisions: GatewayDecisionRecord[];
  adminKey: string;
  userId(email: string): Promise<string>;
  close(): Promise<void>;
}

export async function startGatewayStack(): Promise<GatewayStack> {
  const listening = await listen();
  const gw = listening.origin;
  const everythingHttp = await startEverythingHttp();
  const homes = realpathSync(mkdtempSync(join(tmpdir(), 'gatehouse-gateway-homes-')));
  const resources = { everything: `${gw}/everything/mcp`, everythingStdio: `${gw}/everything-stdio/mcp`, files: `${gw}/files/mcp` };
  const config: ConfigInput = {
    roles: [{ name: 'Engineering', description: 'Builds the product', permissions: [] }],
    scopes: [
      { name: 'everything:use', description: 'Use the demo tools', sensitivity: 'routine' },
      { name: 'everything:admin', description: 'Administer the demo server', allowed_roles: ['Management'], sensitivity: 'sensitive' },
      { name: 'files:read', description: 'Read your files', sensitivity: 'routine' },
      { name: 'files:write', description: 'Write your files', sensitivity: 'routine' },
    ],
    resources: [
      { uri: resources.everything, name: 'Everything (HTTP)', scopes: ['everything:use', 'everything:admin'], organizations: ['acme'] },
      { uri: resources.everythingStdio, name: 'Everything (stdio)', scopes: ['everything:use', 'everything:admin'], organizations: ['acme'] },
      { uri: resources.files, name: 'Files', scopes: ['files:read', 'files:write'], organizations: ['acme'] },
    ],
    organizations: [{ slug: 'acme', name: 'Acme Corp' }],
    clients: [
      {
        client_id: GATEWAY_CLIENT.clientId,
        name: 'Acme MCP gateway',
        grant_types: [],
        secret: GATEWAY_CLIENT.clientSecret,
        resource_server_for: Object.values(resources),
      },
    ],
    users: [ALICE, BOB].map((person) => ({ ...person, memberships: [{ org: 'acme', roles: ['Engineering'] }] })),
  };
  const adminKey = randomToken();
  const gatehouse = await startGatehouse({
    databaseUrl: 'sqlite::memory:',
    config: configSchema.parse(config),
    adminKey,
    options: { cimd: { allowLoopback: true }, loginThrottle: { perAccount: 50, perIp: 500, windowSeconds: 60 } } as never,
  });
  const acme = await gatehouse.store.orgs.getBySlug('acme');
  const organizations = [acme!.id];
  const decisions: GatewayDecisionRecord[] = [];
  for (const person of [ALICE, BOB]) {
    const user = await gatehouse.store.users.getByEmail(person.email);
    mkdirSync(join(homes, user!.id), { recursive: true });
  }
  const gateway = createGateway({
    issuer: gatehouse.issuer,
    publicUrl: gw,
    introspection: GATEWAY_CLIENT,
    onDecision: (record) => {
      decisions.push(record);
    },
    upstreams: [
      { name: 'everything', path: '/everything/mcp', scopes: ['everything:use', 'everything:admin'], organizations, policy: everythingPolicy, http: { url: everythingHttp.url } },
      {
        name: 'everything-stdio',
        path: '/everything-stdio/mcp',
        scopes: ['everything:use', 'everything:admin'],
        organizations,
        policy: everythingPolicy,
        stdio: { command: process.execPath, args: [EVERYTHING_BIN, 'stdio'], env: { NODE_OPTIONS: '' } },
      },
      {
        name: 'files',
        path: '/files/mcp',
        scopes: ['files:read', 'files:write'],
        organizations,
        policy: {
          tools: [
            { name: 'read_*', scopes: ['files:read'], arguments: { path: { pathUnder: join(homes, '{subject}') }, paths: { pathUnder: join(homes, '{subject}') } } },
            { name: 'list_*', scopes: ['files:read'], arguments: { path: { pathUnder: join(homes, '{subject}') } } },
            { name: 'write_file', scopes: ['files:write'], arguments: { path: { pathUnder: join(homes, '{subject}') }, content: { maxLength: 10_000 } } },
          ],
          default: 'deny',
        },
        // One directory per user: the process of each session sees only its user's home.
        stdio: { command: process.execPath, args: [FILESYSTEM_BIN, join(homes, '{subject}')], env: { NODE_OPTIONS: '' }, sessions: { maxPerUser: 2, maxTotal: 10 } },
      },
    ],
  });
  listening.handle((request) => gateway.fetch(request));
  return {
    gatehouse,
    gateway,
    listening,
    everythingHttp,
    homes,
    decisions,
    adminKey,
    async userId(email) {
      const user = await gatehouse.store.users.getByEmail(email);
      if (!user) throw new Error(`no user ${email}`);
      return user.id;
    },
    async close() {
      await gateway.close();
      await listening.close();
      await everythingHttp.close();
      await gatehouse.close();
    },
  };
}
