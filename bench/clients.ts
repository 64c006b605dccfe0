/**
 * `npm run bench clients`: the clients feature's per-request costs, each
 * next to a reference measured in the same run:
 * - client authentication (client_secret_basic) vs the bare minimum it must
 *   do (one store read + one SHA-256);
 * - discovery metadata through the app vs serialising a constant document;
 * - a cached metadata-document client vs a pre-registered one;
 * - a cold CIMD fetch (DNS vetting, pinned connection, capped read) vs a
 *   plain undici GET of the same document over a kept-alive connection.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { LocalEventBus, ManualClock, sha256, type Client } from '@gatehouse-auth/core';
import { createStore } from '@gatehouse-auth/store';
import { authenticateClient, createAuthorizationServerApp, resolveClient, resolveOptions, type ServerContext } from '@gatehouse-auth/authorization-server';

const DURATION_MS = 1500;

async function measure(label: string, op: () => Promise<unknown>, concurrency = 4): Promise<void> {
  const latencies: number[] = [];
  const deadline = performance.now() + DURATION_MS;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        await op();
        latencies.push(performance.now() - start);
      }
    }),
  );
  const perSecond = (latencies.length / (performance.now() - began)) * 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(3);
  console.log(`${label.padEnd(56)} ${perSecond.toFixed(0).padStart(8)} ops/s   p50 ${p(0.5)} ms   p99 ${p(0.99)} ms   (c=${concurrency})`);
}

const clock = new ManualClock();
const store = await createStore('sqlite::memory:');
const ctx: ServerContext = {
  store,
  events: new LocalEventBus(),
  clock,
  options: resolveOptions({ issuer: 'https://as.example', cimd: { allowLoopback: true, maxCacheSeconds: 86_400 } }),
  log: () => {},
};
const app = createAuthorizationServerApp(ctx);
const SECRET = 'bench-secret-'.padEnd(43, 'x');
const base: Client = {
  id: 'bench-client',
  kind: 'preregistered',
  name: 'Bench',
  redirectUris: ['https://app.example/cb'],
  grantTypes: ['authorization_code'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  secretHash: sha256(SECRET),
  applicationType: 'web',
  logoUri: null,
  clientUri: null,
  policyUri: null,
  tosUri: null,
  scope: null,
  orgId: null,
  roles: [],
  resourceServerFor: [],
  status: 'active',
  registrationAccessTokenHash: null,
  metadataExpiresAt: null,
  createdAt: clock.now(),
  updatedAt: clock.now(),
};
await store.clients.create(base);

const headers = new Headers({ authorization: `Basic ${Buffer.from(`bench-client:${SECRET}`).toString('base64')}` });
const form = new URLSearchParams();
await measure('authenticateClient (client_secret_basic)', () => authenticateClient(ctx, { headers, form }));
await measure('reference: store.clients.get + sha256', async () => (await store.clients.get('bench-client'))?.secretHash === sha256(SECRET));

const constant = JSON.stringify({ issuer: 'https://as.example', token_endpoint: 'https://as.example/token' });
await measure('GET /.well-known/oauth-authorization-server (app)', async () => app.request('https://as.example/.well-known/oauth-authorization-server'));
await measure('reference: new Response(constant JSON)', async () => new Response(constant, { headers: { 'content-type': 'application/json' } }));

// A small document server on loopback for the CIMD figures.
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=86400' }).end(doc));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const docId = `${origin}/client.json`;
const doc = JSON.stringify({ client_id: docId, client_name: 'Bench CIMD', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' });

await resolveClient(ctx, docId);
await measure('resolveClient: cached metadata-document client', () => resolveClient(ctx, docId));
await measure('resolveClient: pre-registered client', () => resolveClient(ctx, 'bench-client'));

let n = 0;
await measure(
  'resolveClient: cold CIMD fetch (distinct URLs)',
  async () => {
    const id = `${origin}/c/${n++}`;
    return resolveClient(ctx, id).catch(() => undefined); // client_id mismatch: fetch + validate, nothing stored
  },
  2,
);
await measure('reference: undici GET, kept-alive global agent', async () => (await request(docId)).body.text(), 2);

server.close();
await store.close();
