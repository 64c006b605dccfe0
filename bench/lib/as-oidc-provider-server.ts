/**
 * Benchmark child: node-oidc-provider (the reference) with its default
 * in-memory adapter, client_credentials, introspection, refresh tokens and
 * a resource indicator, issuing opaque access tokens. Prints
 * BenchServerInfo as one JSON line. Refresh tokens are minted through the
 * provider's own models (there is no browser in a benchmark); the clients
 * are public on the refresh side so the provider rotates them, as Gatehouse does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { AGENT, INTROSPECTION_TOKENS, PUBLIC_CLIENT, REDIRECT, RESOURCE, RESOURCE_SERVER, SCOPE, type BenchServerInfo } from './as-shared.ts';
import { announceReady } from './child.ts';
import { basicAuth, form } from './load.ts';

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const provider = new Provider(url, {
  clients: [
    { client_id: AGENT.id, client_secret: AGENT.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: RESOURCE_SERVER.id, client_secret: RESOURCE_SERVER.secret, grant_types: [], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: PUBLIC_CLIENT, grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [REDIRECT], response_types: ['code'], token_endpoint_auth_method: 'none', application_type: 'native' },
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
        return { scope: SCOPE, audience: RESOURCE, accessTokenFormat: 'opaque', accessTokenTTL: 3600 };
      },
    },
  },
  findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
});
server.on('request', provider.callback());
if (process.env.BENCH_DEBUG) provider.on('grant.error', (_ctx: unknown, error: { error_detail?: string; message: string }) => console.error('grant.error', error.message, error.error_detail));

const tokenRequest = async (body: Record<string, string>, authorization?: string) => {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: form(body),
  });
  if (response.status !== 200) throw new Error(`bench setup: oidc-provider token request answered ${response.status} ${await response.text()}`);
  return (await response.json()) as { access_token: string; refresh_token?: string };
};

const serviceTokens: string[] = [];
for (let i = 0; i < INTROSPECTION_TOKENS; i += 1) {
  serviceTokens.push((await tokenRequest({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }, basicAuth(AGENT.id, AGENT.secret))).access_token);
}

const client = await provider.Client.find(PUBLIC_CLIENT);

/** A grant with offline_access and the resource's scopes, and a refresh token under it, through the provider's own models. */
async function mintRefreshTokens(count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const grant = new provider.Grant({ accountId: 'usr_bench', clientId: PUBLIC_CLIENT });
    grant.addOIDCScope('offline_access');
    grant.addResourceScope(RESOURCE, SCOPE);
    const grantId = await grant.save();
    const refreshToken = new provider.RefreshToken({ client, accountId: 'usr_bench', grantId, scope: `offline_access ${SCOPE}`, resource: RESOURCE, gty: 'authorization_code' });
    tokens.push(await refreshToken.save());
  }
  return tokens;
}
const refreshTokens: string[] = [];

const info: BenchServerInfo = { url, serviceTokens, userTokens: [], refreshTokens };
announceReady(info);
process.on('message', async (question) => {
  if (typeof question === 'string' && question.startsWith('refresh-tokens:')) process.send!(await mintRefreshTokens(Number(question.split(':')[1])));
  if (question === 'cpu') {
    const usage = process.cpuUsage();
    process.send!(usage.user + usage.system);
  }
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
