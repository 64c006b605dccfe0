/**
 * Benchmark child: Gatehouse as `gatehouse serve` starts it. The server
 * comes from `serveGatehouse`, the function the `serve` command calls, with
 * the flags a user passes (the bench config, a store URL, a free port): the
 * same store and adapter, the audit log subscribed to the event bus, the
 * trusted-proxy handling and the logger at serve's default level. The store
 * was seeded by as-gatehouse-seed.ts in another process, so this process
 * knows none of the tokens it is asked about.
 *
 * argv: <dir> <database url> <config path>. Prints BenchServerInfo; answers
 * the bench's questions over IPC (CPU time, persisted tokens, cache
 * counters, the audit check, slices of the seeded token populations).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { cacheStats } from '@gatehouse-auth/authorization-server';
import { verifyChain } from '@gatehouse-auth/audit';
import { kyselyOf } from '@gatehouse-auth/store';
import { startServedGatehouse } from './as-gatehouse-config.ts';
import { announceReady, answerQuestions } from './child.ts';
import type { SeededTokens } from './as-gatehouse-seed.ts';
import { FLOOR_CLIENT } from './as-shared.ts';

const [dir, databaseUrl, configPath] = process.argv.slice(2) as [string, string, string];
const startedAt = Date.now();
const gatehouse = await startServedGatehouse(configPath, databaseUrl);
const seeded = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as SeededTokens;
const db = kyselyOf(gatehouse.store).db;
const count = async (query: ReturnType<typeof sql<{ n: number | string }>>) => Number((await query.execute(db)).rows[0]?.n ?? 0);

answerQuestions(seeded, {
  'token-count': () => count(sql<{ n: number }>`select count(*) as n from tokens`),
  'cache-stats': () => cacheStats(gatehouse.context),
  // Every access token this process issued has its token.issued / token.refreshed record, and every chain verifies.
  'audit-check': async () => {
    await gatehouse.audit?.flush();
    // The floor (as-floor-server.ts) issues into the same file under its own client id: its tokens are not this process's.
    const issued = await count(sql<{ n: number }>`select count(*) as n from tokens where kind = 'access' and created_at >= ${startedAt} and client_id <> ${FLOOR_CLIENT}`);
    const recorded = await count(sql<{ n: number }>`select count(*) as n from audit_records where type in ('token.issued', 'token.refreshed') and client_id <> ${FLOOR_CLIENT}`);
    let records = 0;
    const broken: string[] = [];
    for (const chain of await gatehouse.store.audit.chains()) {
      const result = await verifyChain(gatehouse.store.audit, chain);
      records += result.records;
      if (!result.ok) broken.push(chain);
    }
    return { issued, recorded, records, broken };
  },
});
announceReady({ url: gatehouse.url });

process.on('SIGTERM', () => {
  void gatehouse.close().then(() => process.exit(0));
});
