import type { Selectable } from 'kysely';
import type { AuthorizationCode } from '@gatehouse-auth/core';
import { DuplicateError, type CodeStore } from '../types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Db } from './context.ts';
import type { CodesTable } from './schema.ts';

const toCode = (row: Selectable<CodesTable>): AuthorizationCode => ({
  hash: row.hash,
  grantId: row.grant_id,
  clientId: row.client_id,
  userId: row.user_id,
  orgId: row.org_id,
  redirectUri: row.redirect_uri,
  codeChallenge: row.code_challenge,
  resource: row.resource,
  scopes: fromJson<string[]>(row.scopes, []),
  sessionId: row.session_id,
  authTime: num(row.auth_time),
  createdAt: num(row.created_at),
  expiresAt: num(row.expires_at),
  consumedAt: numOrNull(row.consumed_at),
});

export function codeStore({ db }: Db): CodeStore {
  return {
    async create(code) {
      try {
        await db
          .insertInto('authorization_codes')
          .values({
            hash: code.hash,
            grant_id: code.grantId,
            client_id: code.clientId,
            user_id: code.userId,
            org_id: code.orgId,
            redirect_uri: code.redirectUri,
            code_challenge: code.codeChallenge,
            resource: code.resource,
            scopes: toJson(code.scopes),
            session_id: code.sessionId,
            auth_time: code.authTime,
            created_at: code.createdAt,
            expires_at: code.expiresAt,
            consumed_at: code.consumedAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError('authorization code');
        throw error;
      }
    },
    /**
     * RFC 6749 §4.1.2 / OAuth 2.1 §4.1.3: a code is redeemed once. The
     * conditional UPDATE is the whole race: on PostgreSQL concurrent updaters
     * of the row block, then re-check `consumed_at IS NULL` and find it set;
     * on SQLite statements are serialised. Exactly one caller gets a row back.
     */
    async consume(hash, now) {
      const won = await db.updateTable('authorization_codes').set({ consumed_at: now }).where('hash', '=', hash).where('consumed_at', 'is', null).returningAll().executeTakeFirst();
      if (won) return { status: 'consumed', code: toCode(won) };
      const seen = await db.selectFrom('authorization_codes').selectAll().where('hash', '=', hash).executeTakeFirst();
      return seen ? { status: 'replayed', code: toCode(seen) } : { status: 'not_found' };
    },
  };
}
