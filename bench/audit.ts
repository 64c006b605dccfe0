/**
 * `npm run bench audit`: durable append throughput of the audit log on
 * SQLite (WAL, synchronous=FULL for audit commits, group commit) and
 * verification throughput, each printed next to a reference measured in
 * the same run on the same machine:
 *   - append vs. raw better-sqlite3 single-row INSERT, one transaction each,
 *     synchronous=FULL (what a naive durable append costs), and vs. the same
 *     rows inserted in one transaction (the engine's ceiling);
 *   - verify vs. raw SHA-256 over the same bytes (prev hash ‖ canonical
 *     record) with no database read.
 * Targets (issues #5, #12): append ≥ 20,000 records/s and verify ≥ 200,000
 * records/s, both wall-clock (the headline); records per CPU-second beside.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore } from '@gatehouse-auth/store';
import { AuditLog, canonicalRecord, verifyChain } from '@gatehouse-auth/audit';

const RECORDS = Number(process.env.AUDIT_BENCH_RECORDS ?? 200_000);
const IN_FLIGHT = Number(process.env.AUDIT_BENCH_IN_FLIGHT ?? 2_000);
const RAW_SINGLE_ROWS = 2_000;
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-audit-'));
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
/** Wall time and this process's CPU time: on a shared, loaded machine the second is the steadier figure. */
function timed(): () => { wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const cpu = process.cpuUsage(c0);
    return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
}
const fmt = (n: number) => n.toLocaleString('en-US');

const entry = (i: number) => ({
  type: 'tool.call',
  result: 'success' as const,
  orgId: `org_${i % 4}`,
  userId: `usr_${i % 97}`,
  clientId: 'cli_claude',
  clientName: 'Claude',
  sessionId: 'ses_bench',
  tool: 'tickets.read',
  params: { ticket: i, filter: { status: 'open', assignee: `usr_${i % 13}` }, password: 'x' },
  scopes: ['tickets:read'],
  ip: '203.0.113.7',
  userAgent: 'claude-ai/1.0',
});

// --- append: AuditLog on createStore (SQLite file, WAL) ---------------------------------
const store = await createStore(`sqlite:${join(dir, 'audit.db')}`);
const log = new AuditLog({ store: store.audit });
let next = 0;
const appendTimer = timed();
async function appender(): Promise<void> {
  while (next < RECORDS) {
    next++;
    await log.append(entry(next));
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, appender));
const append = appendTimer();
await log.close();

// --- reference: raw single-row INSERT, one durable transaction per row ---------------------
const raw = new Database(join(dir, 'raw.db'));
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = FULL');
raw.exec('CREATE TABLE t (chain TEXT, seq INTEGER, body TEXT, hash TEXT, PRIMARY KEY (chain, seq)) WITHOUT ROWID');
const insert = raw.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
const body = JSON.stringify(entry(1));
let stop = timed();
for (let i = 1; i <= RAW_SINGLE_ROWS; i++) insert.run('org_0', i, body, 'h'); // autocommit: one fsync each
const rawSingle = stop();
const batched = raw.transaction((from: number, n: number) => {
  for (let i = from; i < from + n; i++) insert.run('org_1', i, body, 'h');
});
stop = timed();
for (let i = 0; i < RECORDS; i += 5000) batched(i + 1, 5000);
const rawBatch = stop();
raw.close();

// --- verify: every chain, and raw SHA-256 over the same bytes ------------------------------
const chains = await store.audit.chains();
stop = timed();
let verified = 0;
for (const chain of chains) {
  const result = await verifyChain(store.audit, chain);
  if (!result.ok) throw new Error(`bench chain ${chain} failed verification: ${JSON.stringify(result.failure)}`);
  verified += result.records;
}
const verify = stop();

const inputs: string[] = [];
for (const chain of chains) for (const row of await store.audit.scan(chain, 0, RECORDS)) inputs.push(canonicalRecord(row));
stop = timed();
let previous = '';
for (const input of inputs) previous = createHash('sha256').update(previous).update(input).digest('base64url');
const sha = stop();
await store.close();
rmSync(dir, { recursive: true, force: true });

// Wall-clock is the headline (what a caller waits for); per CPU-second is shown beside it because it holds up on a busy machine.
const row = (measure: string, n: number, t: { wallMs: number; cpuMs: number }, target?: number) => ({
  measure,
  'records/s (wall-clock)': fmt(rate(n, t.wallMs)),
  target: target === undefined ? '' : `≥ ${fmt(target)}: ${rate(n, t.wallMs) >= target ? 'met' : 'MISSED'}`,
  'records/CPU-s': fmt(rate(n, t.cpuMs)),
});
console.log(
  `records: ${fmt(RECORDS)}, appends in flight: ${fmt(IN_FLIGHT)}, node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} CPUs`,
);
const rows = [
  row('audit append (durable, group commit)', RECORDS, append, 20_000),
  row('ref: raw INSERT, 1 row per txn, synchronous=FULL', RAW_SINGLE_ROWS, rawSingle),
  row('ref: raw INSERT, 5,000 rows per txn (PK only)', RECORDS, rawBatch),
  row('audit verify (read + canonical + SHA-256)', verified, verify, 200_000),
  row('ref: raw SHA-256 over the same bytes', inputs.length, sha),
];
// A Markdown table, as the other benchmarks print: it goes into docs/audit.md as it is.
const columns = Object.keys(rows[0]!) as (keyof (typeof rows)[number])[];
const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
const line = (cells: string[]) => '| ' + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ') + ' |';
console.log(line(columns));
console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|') + '|');
for (const r of rows) console.log(line(columns.map((c) => r[c])));
console.log(
  `append: ${(rate(RECORDS, append.wallMs) / rate(RAW_SINGLE_ROWS, rawSingle.wallMs)).toFixed(1)}× the naive durable insert, ${((rate(RECORDS, append.wallMs) / rate(RECORDS, rawBatch.wallMs)) * 100).toFixed(0)}% of the batched raw insert; verify: ${((rate(verified, verify.wallMs) / rate(inputs.length, sha.wallMs)) * 100).toFixed(0)}% of raw SHA-256 (wall)`,
);
