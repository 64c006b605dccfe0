/**
 * Export as JSON Lines: one record per line in seq order, then the chain's
 * signed checkpoints as `{"checkpoint": …}` lines, so the file can be
 * verified away from the database (records carry their hashes).
 */
import type { AuditStore } from '@gatehouse-auth/store';
import { canonicalJson } from './canonical.ts';
import { recordFromRow } from './record.ts';

export async function* exportChainJsonl(store: AuditStore, chain: string, options: { from?: string; to?: string; checkpoints?: boolean } = {}): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const rows = await store.scan(chain, after, 5000);
    for (const row of rows) {
      if ((options.from === undefined || row.time >= options.from) && (options.to === undefined || row.time < options.to)) {
        yield `${canonicalJson(recordFromRow(row))}\n`;
      }
    }
    if (rows.length < 5000) break;
    after = rows[rows.length - 1]!.seq;
  }
  if (options.checkpoints !== false) {
    for (const checkpoint of await store.checkpoints(chain)) yield `${canonicalJson({ checkpoint })}\n`;
  }
}
