/**
 * An A/B of introspection's store read, in one process so both sides run
 * under the same machine load: the reads introspection made before
 * tokens.getWithHolder (the token, then the grant, user and membership in
 * parallel, or the client) against the one joined read. Half the tokens are
 * service tokens and half user tokens, as in `npm run bench as`. Prints the
 * process's CPU µs per introspection read and reads per second, alternating
 * the two sides in short blocks.
 *
 * Not the headline (that is `npm run bench as`, the server as it ships):
 * this isolates the store read the change is about.
 *
 *   NODE_OPTIONS=--conditions=@gatehouse-auth/source npx tsx bench/lib/as-holder-read.ts [sqlite|postgres] [concurrency]
 */
import { newId, randomToken, sha256, type TokenRecord } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { clientRecord, createTestStore } from '@gatehouse-auth/store/testing';

const engine = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const CONCURRENCY = Number(process.argv[3] ?? 16);
const BLOCK_MS = 1_000;
const BLOCKS = Number(process.env.BLOCKS ?? 6);
const USERS = 200;
const TOKENS = 5_000;

const test = await createTestStore(engine);
const store = test.store;
const now = Date.now();
const org = { id: newId('org'), slug: newId('acme').toLowerCase(), name: 'Acme', auditRetentionDays: null, createdAt: now, updatedAt: now };
await store.orgs.create(org);
const agent = clientRecord({ id: newId('cli'), orgId: org.id, roles: ['Support'] });
await store.clients.create(agent);
const grants = [];
for (let i = 0; i < USERS; i += 1) {
  const user = { id: newId('usr'), email: `${newId('u').toLowerCase()}@example.com`, name: 'U', passwordHash: null, status: 'active' as const, createdAt: now, updatedAt: now };
  await store.users.create(user);
  await store.orgs.upsertMembership({ userId: user.id, orgId: org.id, roles: ['Support'], createdAt: now, updatedAt: now });
  const grant = {
    id: newId('grt'),
    userId: user.id,
    orgId: org.id,
    clientId: agent.id,
    resource: 'https://mcp.example.com/mcp',
    scopes: ['tickets:read'],
    scopeConsentedAt: { 'tickets:read': now },
    expiresAt: null,
    scopeExpiresAt: {},
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  };
  await store.grants.create(grant);
  grants.push(grant);
}
const hashes: string[] = [];
const tokens: TokenRecord[] = [];
for (let i = 0; i < TOKENS; i += 1) {
  const grant = grants[i % grants.length]!;
  const service = i % 2 === 0;
  const hash = sha256(randomToken());
  hashes.push(hash);
  tokens.push({
    hash,
    kind: 'access',
    format: 'opaque',
    grantId: service ? null : grant.id,
    familyId: newId('fam'),
    clientId: agent.id,
    userId: service ? null : grant.userId,
    orgId: org.id,
    resource: grant.resource,
    scopes: grant.scopes,
    createdAt: now,
    expiresAt: now + 3_600_000,
    revokedAt: null,
    rotatedAt: null,
    parentHash: null,
  });
}
for (let i = 0; i < tokens.length; i += 500) await store.tokens.insert(tokens.slice(i, i + 500));

/** What introspection read before: the token, then its holder's rows. */
async function separateReads(s: Store, hash: string): Promise<unknown> {
  const record = await s.tokens.get(hash);
  if (!record) throw new Error('missing token');
  if (!record.userId) return s.clients.get(record.clientId);
  return Promise.all([record.grantId ? s.grants.get(record.grantId) : undefined, s.users.get(record.userId), record.orgId ? s.orgs.getMembership(record.userId, record.orgId) : undefined]);
}
async function joinedRead(s: Store, hash: string): Promise<unknown> {
  const found = await s.tokens.getWithHolder(hash);
  if (!found) throw new Error('missing token');
  return found;
}

async function block(read: (s: Store, hash: string) => Promise<unknown>): Promise<{ reads: number; cpu: number }> {
  let reads = 0;
  const cpu = process.cpuUsage();
  const deadline = performance.now() + BLOCK_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await read(store, hashes[Math.floor(Math.random() * hashes.length)]!);
        reads += 1;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { reads, cpu: used.user + used.system };
}

const sides = { 'separate reads (before)': separateReads, 'tokens.getWithHolder': joinedRead };
const totals = new Map<string, { reads: number; cpu: number }>();
await block(separateReads);
await block(joinedRead);
for (let i = 0; i < BLOCKS; i += 1) {
  for (const [name, read] of i % 2 === 0 ? Object.entries(sides) : Object.entries(sides).reverse()) {
    const result = await block(read);
    const total = totals.get(name) ?? { reads: 0, cpu: 0 };
    totals.set(name, { reads: total.reads + result.reads, cpu: total.cpu + result.cpu });
  }
}
console.log(`${engine}, ${CONCURRENCY} concurrent readers, ${BLOCKS} alternating ${BLOCK_MS} ms blocks per side, ${TOKENS} tokens (half service, half user):`);
for (const [name, total] of totals)
  console.log(`  ${name.padEnd(26)} ${((total.reads / (BLOCKS * BLOCK_MS)) * 1000).toFixed(0).padStart(7)} reads/s  ${(total.cpu / total.reads).toFixed(1).padStart(7)} CPU µs/read`);
await test.cleanup();
