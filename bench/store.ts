/**
 * `npm run bench store`: the store's hot paths on both engines, each next to
 * its reference measured in the same run: the same primary-key read done
 * with a raw prepared statement (better-sqlite3 / pg), so the figure shows
 * what the Kysely layer and row mapping cost. Also the atomic write paths
 * (code redemption, refresh rotation, rate-limit hit), and refresh rotation
 * under 32 concurrent chains with the keys the authorization server mints
 * (led by the issue time, core's token-hash.ts) against bare SHA-256 keys
 * (reference), each on a fresh store seeded with the same number of tokens.
 */
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { newId, randomToken, sha256, timeOrderedToken, tokenHash, type TokenRecord } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { createTestStore, postgresAvailable, TEST_POSTGRES_URL } from '@gatehouse-auth/store/testing';

const DURATION_MS = 1500;
const TOKENS = 5000;

/** Runs `op` from `concurrency` workers for DURATION_MS; `worker` numbers them, so a worker can own state no other one touches. */
async function measure(label: string, concurrency: number, op: (i: number, worker: number) => Promise<unknown>): Promise<number> {
  const latencies: number[] = [];
  let i = 0;
  const deadline = performance.now() + DURATION_MS;
  const worker = async (id: number) => {
    while (performance.now() < deadline) {
      const start = performance.now();
      await op(i++, id);
      latencies.push(performance.now() - start);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  const perSecond = (latencies.length / (performance.now() - began)) * 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(3);
  console.log(`${label.padEnd(52)} ${perSecond.toFixed(0).padStart(8)} ops/s   p50 ${p(0.5)} ms   p99 ${p(0.99)} ms   (c=${concurrency})`);
  return perSecond;
}

/** How a token's stored key is made: the server's own (time-led), or the bare SHA-256 it used before. */
type KeyOf = (now: number) => string;
const bareKey: KeyOf = () => sha256(randomToken());
const timeLedKey: KeyOf = (now) => tokenHash(timeOrderedToken(randomToken(), now));

const token = (now: number, key: KeyOf = bareKey): TokenRecord => ({
  hash: key(now),
  kind: 'refresh',
  format: 'opaque',
  grantId: newId('grt'),
  familyId: newId('fam'),
  clientId: 'cli_bench',
  userId: 'usr_bench',
  orgId: 'org_bench',
  resource: 'https://mcp.example.com/mcp',
  scopes: ['tickets:read', 'finance:read'],
  createdAt: now,
  expiresAt: now + 86_400_000,
  revokedAt: null,
  rotatedAt: null,
  parentHash: null,
});

/** The user and org every benchmark token belongs to: rotation refuses tokens of unknown or departed users. */
async function seedSubject(store: Store, now: number): Promise<void> {
  await store.users.create({ id: 'usr_bench', email: 'bench@example.com', name: 'Bench', passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
  await store.orgs.create({ id: 'org_bench', slug: 'bench', name: 'Bench', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await store.orgs.upsertMembership({ userId: 'usr_bench', orgId: 'org_bench', roles: [], createdAt: now, updatedAt: now });
}

/** A benchmark that timed refusals would flatter whoever refuses fastest. */
async function mustRotate(result: Promise<{ status: string }>): Promise<void> {
  const { status } = await result;
  if (status !== 'rotated') throw new Error(`bench: rotation answered ${status}, not rotated`);
}

async function seed(store: Store, now: number): Promise<TokenRecord[]> {
  await seedSubject(store, now);
  const tokens = Array.from({ length: TOKENS }, () => token(now));
  for (let i = 0; i < tokens.length; i += 500) await store.tokens.insert(tokens.slice(i, i + 500));
  return tokens;
}

async function writes(engine: string, store: Store, concurrency: number, now: number): Promise<void> {
  const codes = Array.from({ length: 200_000 }, () => sha256(randomToken(8)));
  let next = 0;
  await measure(`${engine}: codes.create + codes.consume`, concurrency, async () => {
    const hash = codes[next++ % codes.length]!;
    await store.codes.create({
      hash,
      grantId: 'grt_b',
      clientId: 'cli_b',
      userId: 'usr_b',
      orgId: null,
      redirectUri: 'https://x/cb',
      codeChallenge: 'c',
      resource: 'https://mcp.example.com/mcp',
      scopes: ['a'],
      sessionId: null,
      authTime: now,
      createdAt: now,
      expiresAt: now + 60_000,
      consumedAt: null,
    });
    await store.codes.consume(hash, now);
  });
  const chain = new Map<number, TokenRecord>();
  await measure(`${engine}: tokens.rotateRefresh (chains, 2 inserts each)`, concurrency, async (_, lane) => {
    // One chain per worker: a chain is never rotated twice at once (that is reuse, not throughput).
    let current = chain.get(lane);
    if (!current) {
      current = token(now);
      await store.tokens.insert([current]);
    }
    const successor = { ...token(now), familyId: current.familyId, grantId: current.grantId, parentHash: current.hash };
    const access = { ...token(now), kind: 'access' as const, familyId: current.familyId, grantId: current.grantId };
    await mustRotate(store.tokens.rotateRefresh(current.hash, [access, successor], now, 0));
    chain.set(lane, successor);
  });
  await measure(`${engine}: rateLimits.hit`, concurrency, (i) => store.rateLimits.hit(`ip:${i % 64}`, 60_000, now));
}

/**
 * Rotation as the token endpoint drives it: 32 chains in flight, group
 * commit batching them, on a table that already holds SEEDED tokens so
 * index pages no longer all fit in one commit. Time-led keys against bare ones.
 */
const SEEDED = 100_000;
async function keyOrder(engine: 'sqlite' | 'postgres', now: number): Promise<void> {
  const rates: number[] = [];
  const cpus: number[] = [];
  for (const [label, keys] of [
    ['bare SHA-256 keys (reference)', bareKey],
    ['time-led keys', timeLedKey],
  ] as const) {
    const { store, cleanup } = await createTestStore(engine, { poolSize: 8 });
    await seedSubject(store, now);
    for (let i = 0; i < SEEDED; i += 1000) await store.tokens.insert(Array.from({ length: 1000 }, (_, j) => token(now - SEEDED + i + j, keys)));
    const chains: TokenRecord[] = [];
    let clock = now;
    const cpu = process.cpuUsage();
    let ops = 0;
    rates.push(
      await measure(`${engine}: tokens.rotateRefresh, ${label}`, 32, async (_, lane) => {
        ops += 1;
        clock += 1;
        let current = chains[lane];
        if (!current) {
          current = token(clock, keys);
          await store.tokens.insert([current]);
        }
        const successor = { ...token(clock, keys), familyId: current.familyId, grantId: current.grantId, parentHash: current.hash };
        const access = { ...token(clock, keys), kind: 'access' as const, familyId: current.familyId, grantId: current.grantId };
        await mustRotate(store.tokens.rotateRefresh(current.hash, [access, successor], clock, 0));
        chains[lane] = successor;
      }),
    );
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / ops);
    console.log(`${' '.repeat(52)} ${cpus.at(-1)!.toFixed(0).padStart(8)} CPU µs/op (this process, writer thread included)`);
    await cleanup();
  }
  console.log(`${engine}: rotation with time-led keys / bare keys = ${(rates[1]! / rates[0]!).toFixed(2)} (ops/s), ${(cpus[1]! / cpus[0]!).toFixed(2)} (CPU per op)`);
}

const now = Date.now();

{
  const { store, url, cleanup } = await createTestStore('sqlite');
  const tokens = await seed(store, now);
  const raw = new BetterSqlite3(url.slice('sqlite:'.length), { readonly: true });
  const statement = raw.prepare('select * from tokens where hash = ?');
  const ref = await measure('sqlite: raw better-sqlite3 prepared get (reference)', 1, async (i) => statement.get(tokens[i % TOKENS]!.hash));
  const ours = await measure('sqlite: store.tokens.get', 1, (i) => store.tokens.get(tokens[i % TOKENS]!.hash));
  console.log(`sqlite: store.tokens.get / reference = ${(ours / ref).toFixed(2)}`);
  raw.close();
  await writes('sqlite', store, 1, now);
  await cleanup();
  await keyOrder('sqlite', now);
}

if (await postgresAvailable()) {
  const { store, schema, cleanup } = await createTestStore('postgres', { poolSize: 8 });
  const tokens = await seed(store, now);
  const pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 8, options: `-c search_path=${schema}` });
  const ref = await measure('postgres: raw pg prepared get (reference)', 8, (i) => pool.query({ name: 'get-token', text: 'select * from tokens where hash = $1', values: [tokens[i % TOKENS]!.hash] }));
  const ours = await measure('postgres: store.tokens.get', 8, (i) => store.tokens.get(tokens[i % TOKENS]!.hash));
  console.log(`postgres: store.tokens.get / reference = ${(ours / ref).toFixed(2)}`);
  await pool.end();
  await writes('postgres', store, 8, now);
  await cleanup();
  await keyOrder('postgres', now);
} else {
  console.warn('PostgreSQL unreachable: postgres figures skipped');
}
