import type { LoginSession } from '@gatehouse-auth/core';
import { DuplicateError, type SessionStore } from '../types.ts';
import { num, numOrNull } from './codec.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Db } from './context.ts';

export function sessionStore({ db }: Db): SessionStore {
  return {
    async create(session) {
      try {
        await db
          .insertInto('login_sessions')
          .values({
            id: session.id,
            user_id: session.userId,
            created_at: session.createdAt,
            expires_at: session.expiresAt,
            revoked_at: session.revokedAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError('login session');
        throw error;
      }
    },
    /** Returns the session whatever its state: expiry and revocation are the caller's checks. */
    async get(id) {
      const row = await db.selectFrom('login_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const session: LoginSession = {
        id: row.id,
        userId: row.user_id,
        createdAt: num(row.created_at),
        expiresAt: num(row.expires_at),
        revokedAt: numOrNull(row.revoked_at),
      };
      return session;
    },
    async revoke(id, now) {
      await db.updateTable('login_sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async revokeForUser(userId, now) {
      const result = await db.updateTable('login_sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
