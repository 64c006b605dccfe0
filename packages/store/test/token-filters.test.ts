/**
 * Every bulk revocation is answered by an index, never by a scan of the
 * tokens table (which grows by two rows per refresh): SQLite's query plan
 * for each filter's UPDATE names the index the migrations made for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, kyselyOf, type Store } from '../src/index.ts';
import { revokeTokensQuery } from '../src/kysely/revocation.ts';
import { byClient, byFamily, byGrant, byHash, byUser, type TokenFilter } from '../src/kysely/token-filters.ts';

let dir: string;
let store: Store;
let raw: BetterSqlite3.Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-plan-'));
  store = await createStore(`sqlite:${join(dir, 'gatehouse.db')}`, { tokenWriter: 'inline' });
  raw = new BetterSqlite3(join(dir, 'gatehouse.db'), { readonly: true });
});
afterAll(async () => {
  raw.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function plan(filter: TokenFilter): string {
  const query = revokeTokensQuery(kyselyOf(store).db, 1, filter).compile();
  const rows = raw.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('bulk token revocation uses an index (SQLite query plan)', () => {
  const cases: [string, TokenFilter, RegExp][] = [
    ['one token, by its key', byHash('k'), /USING INDEX sqlite_autoindex_tokens_1 \(hash=\?\)/],
    ['a grant', byGrant('grt_1'), /USING INDEX tokens_grant_family_idx \(grant_id=\?\)/],
    ['a refresh chain under its grant', byFamily({ familyId: 'fam_1', grantId: 'grt_1' }), /USING INDEX tokens_grant_family_idx \(grant_id=\? AND family_id=\?\)/],
    ['a family without a grant', byFamily({ familyId: 'fam_1', grantId: null }), /USING INDEX tokens_family_idx \(family_id=\?\)/],
    ['a user', byUser('usr_1'), /USING INDEX tokens_user_idx \(user_id=\?\)/],
    ['a user in one org', byUser('usr_1', 'org_1'), /USING INDEX tokens_user_idx \(user_id=\? AND org_id=\?\)/],
    ['a client', byClient('cli_1'), /USING INDEX tokens_client_idx \(client_id=\?\)/],
  ];
  for (const [name, filter, index] of cases) {
    it(`revoking ${name} searches its index and never scans tokens`, () => {
      const detail = plan(filter);
      expect(detail).toMatch(index);
      expect(detail).not.toMatch(/SCAN tokens/);
    });
  }
});
