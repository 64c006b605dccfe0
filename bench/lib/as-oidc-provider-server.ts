/**
 * Benchmark child: node-oidc-provider 9 (the reference) in memory, with
 * client_credentials, introspection, refresh tokens and a resource
 * indicator, issuing opaque access tokens. Its default memory adapter is an
 * LRU of 1,000 entries, which would evict the token populations; the same
 * adapter over an LRU sized for them keeps every token. The populations are
 * minted through the provider's own models before it listens (there is no
 * browser in a benchmark); the refresh client is public so the provider
 * rotates its tokens, as Gatehouse does. Prints BenchServerInfo.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';
import { ACCESS_POPULATION, AGENT, PUBLIC_CLIENT, REDIRECT, REFRESH_POPULATION, RESOURCE, RESOURCE_SERVER, SCOPE } from './as-shared.ts';
import { announceReady, answerQuestions } from './child.ts';

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const storage = new LRU({ maxSize: 4 * (ACCESS_POPULATION + REFRESH_POPULATION) + 100_000 });

const resourceServerInfo = { scope: SCOPE, audience: RESOURCE, accessTokenFormat: 'opaque', accessTokenTTL: 3600 };
const provider = new Provider(url, {
  adapter: (model: string) => new MemoryAdapter(model, storage),
  clients: [
    { client_id: AGENT.id, client_secret: AGENT.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: RESOURCE_SERVER.id, client_secret: RESOURCE_SERVER.secret, grant_types: [], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
    {
      client_id: PUBLIC_CLIENT,
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    },
  ],
  scopes: ['offline_access', ...SCOPE.split(' ')],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, resource: string) => {
        if (resource !== RESOURCE) throw new Error('unknown resource');
        return resourceServerInfo;
      },
    },
  },
  findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
});
server.on('request', provider.callback());
if (process.env.BENCH_DEBUG) provider.on('grant.error', (_ctx: unknown, error: { error_detail?: string; message: string }) => console.error('grant.error', error.message, error.error_detail));

const agent = await provider.Client.find(AGENT.id);
const publicClient = await provider.Client.find(PUBLIC_CLIENT);

/** What the client_credentials grant saves: a ClientCredentials token bound to the resource server. */
async function mintAccessToken(): Promise<string> {
  const token = new provider.ClientCredentials({ client: agent, scope: SCOPE });
  token.resourceServer = new provider.ResourceServer(RESOURCE, resourceServerInfo);
  return token.save();
}

/** A grant with offline_access and the resource's scopes, and a refresh token under it. */
async function mintRefreshToken(): Promise<string> {
  const grant = new provider.Grant({ accountId: 'usr_bench', clientId: PUBLIC_CLIENT });
  grant.addOIDCScope('offline_access');
  grant.addResourceScope(RESOURCE, SCOPE);
  const grantId = await grant.save();
  const refreshToken = new provider.RefreshToken({ client: publicClient, accountId: 'usr_bench', grantId, scope: `offline_access ${SCOPE}`, resource: RESOURCE, gty: 'authorization_code' });
  return refreshToken.save();
}

const access: string[] = [];
for (let i = 0; i < ACCESS_POPULATION; i += 1) access.push(await mintAccessToken());
const refresh: string[] = [];
for (let i = 0; i < REFRESH_POPULATION; i += 1) refresh.push(await mintRefreshToken());

answerQuestions({ access, refresh }, {});
announceReady({ url });
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
