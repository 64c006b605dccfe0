/**
 * `npm run bench scim`: a directory's initial sync as Okta runs it, in
 * process against the SCIM app on both engines: for each of N people, the
 * `userName eq` lookup, then the create. Printed: the whole sync, the
 * lookup and create latencies (p50, p99) once the org holds N people, and
 * a deactivation (revokes a grant and its tokens). Reference, measured in
 * the same run: the store's own indexed lookup by userName, which is the
 * floor a lookup request can reach.
 */
import { performance } from 'node:perf_hooks';
import { LocalEventBus, newId, systemClock } from '@gatehouse-auth/core';
import { createTestStore, postgresAvailable } from '@gatehouse-auth/store/testing';
import { createScimApp, issueScimToken } from '@gatehouse-auth/scim';

const N = Number(process.env.SCIM_BENCH_USERS ?? 2000);
const SAMPLES = 200;

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
const ms = (v: number) => `${v.toFixed(2)} ms`;

async function run(engine: 'sqlite' | 'postgres') {
  const made = await createTestStore(engine);
  const store = made.store;
  const now = Date.now();
  const org = { id: newId('org'), slug: 'acme', name: 'Acme', auditRetentionDays: null, createdAt: now, updatedAt: now };
  await store.orgs.create(org);
  const { token } = await issueScimToken({ store, clock: systemClock }, org.id, 'create');
  const app = createScimApp({ store, events: new LocalEventBus(), clock: systemClock, baseUrl: 'https://gatehouse.bench', groupRoles: () => ({ groupRoles: {}, defaultRoles: ['Employee'] }) });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  const lookup = (email: string) => app.request(`/acme/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`, { headers });
  const create = (email: string) =>
    app.request('/acme/Users', {
      method: 'POST',
      headers,
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, emails: [{ value: email, primary: true }], active: true }),
    });

  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const email = `person${i}@acme.bench`;
    if ((await lookup(email)).status !== 200) throw new Error('lookup failed');
    if ((await create(email)).status !== 201) throw new Error('create failed');
  }
  const syncMs = performance.now() - started;

  const lookups: number[] = [];
  const creates: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const email = `late${i}@acme.bench`;
    let t = performance.now();
    await lookup(email);
    lookups.push(performance.now() - t);
    t = performance.now();
    await create(email);
    creates.push(performance.now() - t);
    t = performance.now();
    await store.scim.findUserByName(org.id, `person${i}@acme.bench`);
    floor.push(performance.now() - t);
  }
  const victim = (await store.scim.findUserByName(org.id, 'person0@acme.bench'))!;
  const t = performance.now();
  const off = await app.request(`/acme/Users/${victim.userId}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] }),
  });
  const deactivateMs = performance.now() - t;
  if (off.status !== 200) throw new Error('deactivate failed');
  await made.cleanup();
  console.log(`${engine.padEnd(8)} initial sync of ${N}: ${(syncMs / 1000).toFixed(1)} s (${(N / (syncMs / 1000)).toFixed(0)} people/s)`);
  console.log(
    `${''.padEnd(8)} at ${N} people: lookup p50 ${ms(pct(lookups, 50))} p99 ${ms(pct(lookups, 99))} | create p50 ${ms(pct(creates, 50))} p99 ${ms(pct(creates, 99))} | deactivate ${ms(deactivateMs)}`,
  );
  console.log(`${''.padEnd(8)} reference: store findUserByName p50 ${ms(pct(floor, 50))} p99 ${ms(pct(floor, 99))}`);
}

await run('sqlite');
if (await postgresAvailable()) await run('postgres');
else console.log('postgres: skipped (unreachable)');
