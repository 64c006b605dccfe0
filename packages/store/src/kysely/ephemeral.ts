/** Short-lived rows: interaction state between redirects, and rate-limit windows. */
import { sql } from 'kysely';
import type { InteractionStore, RateLimitStore } from '../types.ts';
import { fromJson, num, toJson } from './codec.ts';
import type { Db } from './context.ts';

export function interactionStore({ db }: Db): InteractionStore {
  return {
    async put(id, payload, expiresAt) {
      const value = toJson(payload);
      await db
        .insertInto('interactions')
        .values({ id, payload: value, expires_at: expiresAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ payload: value, expires_at: expiresAt }))
        .execute();
    },
    async get<T>(id: string, now: number) {
      const row = await db.selectFrom('interactions').select('payload').where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
      return row ? fromJson<T>(row.payload, undefined as T) : undefined;
    },
    async delete(id) {
      await db.deleteFrom('interactions').where('id', '=', id).execute();
    },
  };
}

/**
 * Fixed windows: the window containing `now` starts at floor(now / windowMs)
 * * windowMs. One upsert both starts a new window and counts in the current
 * one, so concurrent hits never lose a count (ON CONFLICT … DO UPDATE is
 * atomic on both engines).
 */
export function rateLimitStore({ db }: Db): RateLimitStore {
  return {
    async hit(key, windowMs, now) {
      const windowStart = Math.floor(now / windowMs) * windowMs;
      const row = await db
        .insertInto('rate_limits')
        .values({ key, window_start: windowStart, count: 1 })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            count: sql<number>`case when rate_limits.window_start = ${windowStart} then rate_limits.count + 1 else 1 end`,
            window_start: windowStart,
          }),
        )
        .returning('count')
        .executeTakeFirstOrThrow();
      return num(row.count);
    },
    async reset(key) {
      await db.deleteFrom('rate_limits').where('key', '=', key).execute();
    },
  };
}
