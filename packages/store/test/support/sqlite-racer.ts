/**
 * A separate OS process racing on one SQLite file (run by
 * sqlite-multiprocess.test.ts). Prints "ready", waits for "go" on stdin,
 * then redeems the shared code and rotates the shared refresh token
 * `rounds` times each, all at once, and prints the outcomes as JSON.
 */
import { createInterface } from 'node:readline';
import { createStore } from '@gatehouse-auth/store';
import type { Grant, TokenRecord } from '@gatehouse-auth/core';
import { successorPair } from '../conformance/fixtures.ts';

const [url, codeHash, refreshJson, grantJson, roundsText] = process.argv.slice(2);
const refresh = JSON.parse(refreshJson!) as TokenRecord;
const grant = JSON.parse(grantJson!) as Grant;
const rounds = Number(roundsText);

const store = await createStore(url!, { migrate: false });
console.log('ready');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
lines.close();

const now = refresh.createdAt + 1;
const [codes, rotations] = await Promise.all([
  Promise.all(Array.from({ length: rounds }, () => store.codes.consume(codeHash!, now).then((r) => r.status))),
  Promise.all(
    Array.from({ length: rounds }, () =>
      store.tokens
        .rotateRefresh(refresh.hash, successorPair(grant, refresh, now), now, 0)
        .then((r) => (r.status === 'invalid' ? `invalid:${r.reason}` : r.status))
        .catch((error: Error & { code?: string }) => `error:${error.code ?? error.message}`),
    ),
  ),
]);
console.log(JSON.stringify({ codes, rotations }));
await store.close();
