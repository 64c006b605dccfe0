/**
 * Benchmark child: the floor under two scenarios, not a server anyone runs.
 * Node's HTTP server doing only what no such request can skip, with the
 * store and audit log Gatehouse uses, on the same file:
 *
 * - POST /introspect: read the form body, compare the resource server's
 *   Basic credentials, read the token and its holder with the store's own
 *   query (tokens.getWithHolder, the read Gatehouse's introspection
 *   makes), and write a JSON answer with the headers every OAuth answer
 *   carries;
 * - POST /token (client_credentials): compare the agent's Basic
 *   credentials, insert its access token through the store's group commit
 *   and publish token.issued to the audit log the way `gatehouse serve`
 *   wires it (cli server/events.ts), answer once both are durable (one WAL
 *   sync, as Gatehouse's durable issuance waits).
 *
 * No client authentication cache, catalogue, policy, scope or audience
 * checks, access log or metrics. `npm run bench as` prints it beside those
 * scenarios as an extra row, so a reader sees how much of Gatehouse's CPU
 * per request is its own work and how much the platform's (HTTP on
 * loopback, SQLite or PostgreSQL, the WAL sync, the audit chain).
 *
 * argv: <dir> <database url>. Prints BenchServerInfo.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock, timeOrderedToken, tokenHash, type TokenRecord } from '@gatehouse-auth/core';
import { createStore } from '@gatehouse-auth/store';
import { oauthAnswer } from '@gatehouse-auth/authorization-server';
import { createLogger, createProcessEvents } from '@gatehouse-auth/cli';
import { basicAuth } from './load.ts';
import { AGENT, FLOOR_CLIENT, RESOURCE, RESOURCE_SERVER, SCOPE } from './as-shared.ts';
import { announceReady, answerQuestions } from './child.ts';
import type { SeededTokens } from './as-gatehouse-seed.ts';

const [dir, databaseUrl] = process.argv.slice(2) as [string, string];
const store = await createStore(databaseUrl, { migrate: false });
const seeded = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as SeededTokens;
const { events } = await createProcessEvents(store, systemClock, createLogger({ level: 'silent' }));
const resourceServerAuthorization = basicAuth(RESOURCE_SERVER.id, RESOURCE_SERVER.secret);
const agentAuthorization = basicAuth(AGENT.id, AGENT.secret);
/** The org the bench config gives the agent (as-gatehouse-config.ts). */
const AGENT_ORG = 'acme';
const TOKEN_TTL_S = 3600;
/** Random bytes drawn 32 KiB at a time, as Gatehouse draws its token secrets (one getrandom per 1,024 tokens, not per token). */
let random = Buffer.alloc(0);
const randomSlice = (size: number): Buffer => {
  if (random.length < size) random = randomBytes(32 * 1024);
  const slice = random.subarray(0, size);
  random = random.subarray(size);
  return slice;
};

const server = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', async () => {
    // Gatehouse's own OAuth answer (JSON, no-store, the security headers): the same bytes on the wire as its route writes.
    const answer = (status: number, body: unknown) => {
      const { headers, body: text } = oauthAnswer(body, status);
      outgoing.writeHead(status, Object.assign(headers, { 'content-length': Buffer.byteLength(text) }));
      outgoing.end(text);
    };
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (incoming.url === '/token') return answer(...(await clientCredentials(incoming.headers.authorization, form)));
    if (incoming.headers.authorization !== resourceServerAuthorization) return answer(401, { error: 'invalid_client' });
    const token = form.get('token');
    if (!token) return answer(400, { error: 'invalid_request' });
    const found = await store.tokens.getWithHolder(tokenHash(token));
    if (!found || found.token.kind !== 'access') return answer(200, { active: false });
    const { token: row } = found;
    answer(200, {
      active: true,
      client_id: row.clientId,
      sub: row.userId ?? row.clientId,
      scope: row.scopes.join(' '),
      aud: row.resource,
      exp: Math.floor(row.expiresAt / 1000),
      iat: Math.floor(row.createdAt / 1000),
      token_type: 'Bearer',
    });
  });
});
async function clientCredentials(authorization: string | undefined, form: URLSearchParams): Promise<[number, unknown]> {
  if (authorization !== agentAuthorization) return [401, { error: 'invalid_client' }];
  if (form.get('grant_type') !== 'client_credentials') return [400, { error: 'unsupported_grant_type' }];
  const now = systemClock.now();
  const accessToken = timeOrderedToken(randomSlice(32).toString('base64url'), now);
  const record: TokenRecord = {
    hash: tokenHash(accessToken),
    kind: 'access',
    format: 'opaque',
    grantId: null,
    familyId: `fam_${randomSlice(9).toString('base64url')}`,
    clientId: FLOOR_CLIENT,
    userId: null,
    orgId: AGENT_ORG,
    resource: RESOURCE,
    scopes: SCOPE.split(' '),
    createdAt: now,
    expiresAt: now + TOKEN_TTL_S * 1000,
    revokedAt: null,
    rotatedAt: null,
    parentHash: null,
  };
  const committed = await store.tokens.insertCommitted([record]);
  try {
    await events.publish({ type: 'token.issued', tokenHash: record.hash, grantId: null, clientId: FLOOR_CLIENT, userId: null, orgId: AGENT_ORG, resource: RESOURCE, scopes: record.scopes });
  } finally {
    await committed.whenDurable();
  }
  return [200, { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_S, scope: SCOPE }];
}

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
answerQuestions(seeded, {});
announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });

process.on('SIGTERM', () => {
  server.close();
  void store.close().then(() => process.exit(0));
});
