/**
 * Benchmark child: the floor under introspection, not a server anyone runs.
 * Node's HTTP server doing only what no introspection can skip: read the
 * form body, compare the resource server's Basic credentials, read the
 * token and its holder from the same store file with the store's own query
 * (tokens.getWithHolder, the read Gatehouse's introspection makes), and
 * write a JSON answer with the headers every OAuth answer carries. No
 * client authentication cache, policy, audience check, access log or
 * metrics.
 *
 * `npm run bench as` prints it beside the introspection scenarios as an
 * extra row, so a reader sees how much of Gatehouse's CPU per request is
 * its own work and how much the platform's (HTTP on loopback, SQLite).
 *
 * argv: <dir> <database url>. Prints BenchServerInfo.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenHash } from '@gatehouse-auth/core';
import { createStore } from '@gatehouse-auth/store';
import { basicAuth } from './load.ts';
import { RESOURCE_SERVER } from './as-shared.ts';
import { announceReady, answerQuestions } from './child.ts';
import type { SeededTokens } from './as-gatehouse-seed.ts';

const [dir, databaseUrl] = process.argv.slice(2) as [string, string];
const store = await createStore(databaseUrl, { migrate: false });
const seeded = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as SeededTokens;
const expectedAuthorization = basicAuth(RESOURCE_SERVER.id, RESOURCE_SERVER.secret);
const HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

const server = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', async () => {
    const answer = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      outgoing.writeHead(status, { ...HEADERS, 'content-length': Buffer.byteLength(text) });
      outgoing.end(text);
    };
    if (incoming.headers.authorization !== expectedAuthorization) return answer(401, { error: 'invalid_client' });
    const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('token');
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
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
answerQuestions(seeded, {});
announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });

process.on('SIGTERM', () => {
  server.close();
  void store.close().then(() => process.exit(0));
});
