/**
 * Benchmark setup, in its own process before Gatehouse starts: applies the
 * bench config to the store and inserts the token populations directly, as
 * if issued over the last minutes (access) and days (refresh) by earlier
 * processes. The server that is measured then starts fresh: nothing about
 * these tokens is in its memory. Writes the token strings to
 * `<dir>/tokens.json` for the load generator.
 *
 * argv: <dir> <database url> <config path>
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId, randomToken, timeOrderedToken, tokenHash, type TokenRecord } from '@gatehouse-auth/core';
import { createStore } from '@gatehouse-auth/store';
import { apply, loadConfigFile } from '@gatehouse-auth/cli';
import { ACCESS_POPULATION, AGENT, PUBLIC_CLIENT, REFRESH_POPULATION, RESOURCE, SCOPE } from './as-shared.ts';

export interface SeededTokens {
  /** Live access tokens, half service tokens (the agent), half user tokens (grants of the four example users). */
  access: string[];
  refresh: string[];
}

const [dir, databaseUrl, configPath] = process.argv.slice(2) as [string, string, string];
const store = await createStore(databaseUrl);
const config = await loadConfigFile(configPath, { allowLiteralSecrets: true });
await apply(store, config);

const now = Date.now();
const org = (await store.orgs.getBySlug('acme'))!;
const users = await store.users.list();
const scopes = SCOPE.split(' ');
const GRANTS_PER_USER = 250;
const grants: { id: string; userId: string }[] = [];
// One transaction: a commit (and fsync) per grant made setup take longer than the runs.
await store.transaction(async (tx) => {
  for (const user of users) {
    for (let i = 0; i < GRANTS_PER_USER; i += 1) {
      const id = newId('grt');
      const createdAt = now - 7 * 86_400_000;
      await tx.grants.create({
        id,
        userId: user.id,
        orgId: org.id,
        clientId: PUBLIC_CLIENT,
        resource: RESOURCE,
        scopes,
        scopeConsentedAt: {},
        expiresAt: null,
        scopeExpiresAt: {},
        createdAt,
        updatedAt: createdAt,
        revokedAt: null,
      });
      grants.push({ id, userId: user.id });
    }
  }
});

function mint(kind: 'access' | 'refresh', index: number, issuedAgo: number, ttl: number): { token: string; record: TokenRecord } {
  const createdAt = now - issuedAgo;
  const token = timeOrderedToken(randomToken(), createdAt);
  const service = kind === 'access' && index % 2 === 0;
  const grant = grants[index % grants.length]!;
  return {
    token,
    record: {
      hash: tokenHash(token),
      kind,
      format: 'opaque',
      grantId: service ? null : grant.id,
      familyId: newId('fam'),
      clientId: service ? AGENT.id : PUBLIC_CLIENT,
      userId: service ? null : grant.userId,
      orgId: org.id,
      resource: RESOURCE,
      scopes,
      createdAt,
      expiresAt: createdAt + ttl,
      revokedAt: null,
      rotatedAt: null,
      parentHash: null,
    },
  };
}

const seeded: SeededTokens = { access: [], refresh: [] };
const BATCH = 1_000;
async function insert(kind: 'access' | 'refresh', count: number, spreadMs: number, ttl: number, into: string[]) {
  for (let from = 0; from < count; from += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - from) }, (_, i) => mint(kind, from + i, Math.floor(((from + i) / count) * spreadMs), ttl));
    await store.transaction((tx) => tx.tokens.insert(batch.map((b) => b.record)));
    for (const b of batch) into.push(b.token);
  }
}
// Access tokens issued over the last 20 minutes (1 h lifetime); refresh tokens over the last 7 days (30 days).
await insert('access', ACCESS_POPULATION, 20 * 60_000, 3_600_000, seeded.access);
await insert('refresh', REFRESH_POPULATION, 7 * 86_400_000, 30 * 86_400_000, seeded.refresh);
await store.close();
writeFileSync(join(dir, 'tokens.json'), JSON.stringify(seeded));
