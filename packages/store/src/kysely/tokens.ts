import type { TokenRecord } from '@gatehouse-auth/core';
import type { TokenStore } from '../types.ts';
import { inTransaction, type Db } from './context.ts';
import { deleteUnconsumedCodesWhere, revokeTokensWhere } from './revocation.ts';
import { byClient, byFamily, byHash, byUser } from './token-filters.ts';
import { rotateRefresh } from './rotate-refresh.ts';
import { insertTokens, selectToken, toToken } from './token-rows.ts';
import { readTokenWithHolder } from './token-holder.ts';
import { ALREADY_DURABLE, type SubmitTokenWrite } from './group-commit.ts';

const alreadyDurable = () => ALREADY_DURABLE;
import type { RotateRefreshResult } from '../types.ts';

/**
 * `submit`, given on the root store only, group-commits insert and, on
 * SQLite, rotateRefresh (group-commit.ts); inside a transaction they run in it.
 *
 * On PostgreSQL each rotation runs in its own transaction: it makes five
 * round trips under row locks, and batched they ran one after another on
 * one connection while the pool's others idled. `npm run bench as` with
 * BENCH_STORE on PostgreSQL, refresh: 499 req/s, p99 225 ms batched; 664,
 * p99 66 ms unbatched. Inserts keep sharing a commit (client_credentials
 * 4,510 batched, 3,175 unbatched).
 */
export function tokenStore({ db, engine }: Db, submit?: SubmitTokenWrite): TokenStore {
  const submitRotation = engine === 'sqlite' ? submit : undefined;
  const insertCommitted = async (tokens: TokenRecord[]) => {
    if (submit) return { whenDurable: (await submit({ op: 'insert', tokens })).whenDurable };
    await inTransaction(db, (trx) => insertTokens(trx, engine, tokens));
    return { whenDurable: alreadyDurable };
  };
  const rotateRefreshCommitted = async (oldHash: string, issue: TokenRecord[], now: number, graceMs: number) => {
    if (submitRotation) {
      const { value, whenDurable } = await submitRotation({ op: 'rotateRefresh', oldHash, issue, now, graceMs });
      return { result: value as RotateRefreshResult, whenDurable };
    }
    return { result: await inTransaction(db, (trx) => rotateRefresh({ db: trx, engine }, oldHash, issue, now, graceMs)), whenDurable: alreadyDurable };
  };
  return {
    async insert(tokens) {
      await (await insertCommitted(tokens)).whenDurable();
    },
    insertCommitted,
    async get(hash) {
      const row = (await selectToken(db, engine, hash)).rows[0];
      return row && toToken(row);
    },
    getWithHolder: (hash) => readTokenWithHolder(db, engine, hash),
    async rotateRefresh(oldHash, issue, now, graceMs) {
      const { result, whenDurable } = await rotateRefreshCommitted(oldHash, issue, now, graceMs);
      await whenDurable();
      return result;
    },
    rotateRefreshCommitted,
    revoke: (hash, now) => revokeTokensWhere(db, now, byHash(hash)),
    revokeFamily: (family, now) => revokeTokensWhere(db, now, byFamily(family)),
    /** Also drops the user's unredeemed codes (in that org): they would mint tokens from a revoked state. */
    revokeForUser: (userId, now, orgId) =>
      inTransaction(db, async (trx) => {
        const hashes = await revokeTokensWhere(trx, now, byUser(userId, orgId));
        await deleteUnconsumedCodesWhere(trx, (eb) => eb.and(orgId === undefined ? [eb('user_id', '=', userId)] : [eb('user_id', '=', userId), eb('org_id', '=', orgId)]));
        return hashes;
      }),
    revokeForClient: (clientId, now) =>
      inTransaction(db, async (trx) => {
        const hashes = await revokeTokensWhere(trx, now, byClient(clientId));
        await deleteUnconsumedCodesWhere(trx, (eb) => eb.and([eb('client_id', '=', clientId)]));
        return hashes;
      }),
    async purgeExpired(before) {
      const result = await db.deleteFrom('tokens').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
