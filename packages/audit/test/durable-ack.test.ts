/**
 * An audit record is acknowledged only once it would survive power loss.
 * On a SQLite file the commit itself no longer waits for the fsync on the
 * event loop (a token response waits for its record, and a blocking fsync
 * stalled every request in flight); the WAL is synced on the thread pool
 * and the append resolves after that.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createKyselyAuditStore, createStore, kyselyOf, type Store } from '@gatehouse-auth/store';
import { AuditLog } from '../src/audit-log.ts';

const opened: { store: Store; dir: string }[] = [];
afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function fileStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-durable-'));
  const store = await createStore(`sqlite:${join(dir, 'audit.db')}`);
  opened.push({ store, dir });
  return store;
}

const entry = { type: 'tool.call', result: 'success' as const, orgId: 'org_a', userId: 'usr_a', tool: 'tickets.read' };

describe('audit append durability (SQLite file)', () => {
  it('does not acknowledge a committed record before the WAL is synced', async () => {
    const store = await fileStore();
    const syncs: (() => void)[] = [];
    const audit = createKyselyAuditStore(kyselyOf(store).db, 'sqlite', { syncWal: () => new Promise<void>((resolve) => syncs.push(resolve)) });
    const log = new AuditLog({ store: audit });
    let acknowledged = false;
    const appended = log.append(entry).then((ref) => {
      acknowledged = true;
      return ref;
    });
    for (let i = 0; i < 100 && syncs.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(syncs).toHaveLength(1);
    // Committed (a reader sees it) but not yet synced: not acknowledged.
    expect(await audit.head('org_a')).toMatchObject({ seq: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(acknowledged).toBe(false);
    syncs[0]!();
    expect(await appended).toMatchObject({ chain: 'org_a', seq: 1 });
  });

  it('leaves the connection at synchronous = FULL for every other write', async () => {
    const store = await fileStore();
    const log = new AuditLog({ store: store.audit });
    await log.append(entry);
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(kyselyOf(store).db);
    expect(rows[0]?.synchronous).toBe(2);
    await log.close();
  });
});
