/** SAML round-trip state and the assertion replay cache (0019). */
import type { SamlStore } from '../saml-types.ts';
import { fromJson, num, toJson } from './codec.ts';
import type { Db } from './context.ts';

export function samlStore({ db }: Db): SamlStore {
  return {
    async putState(id, payload, expiresAt) {
      await db
        .insertInto('saml_states')
        .values({ id, payload: toJson(payload), expires_at: expiresAt })
        .execute();
    },
    async takeState<T>(id: string, now: number) {
      // DELETE … RETURNING: the read and the removal are one statement, so two takers never both win.
      const row = await db.deleteFrom('saml_states').where('id', '=', id).returning(['payload', 'expires_at']).executeTakeFirst();
      if (!row || num(row.expires_at) <= now) return undefined;
      return fromJson<T>(row.payload, undefined as T);
    },
    async recordAssertion(key, expiresAt, now) {
      // Insert, or take over a row whose time is up; a live row makes the
      // conditional update touch nothing and RETURNING yields no row.
      const row = await db
        .insertInto('saml_assertions')
        .values({ key, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }).where('saml_assertions.expires_at', '<=', now))
        .returning('key')
        .executeTakeFirst();
      return row !== undefined;
    },
    async purgeExpired(now) {
      const states = await db.deleteFrom('saml_states').where('expires_at', '<=', now).executeTakeFirst();
      const assertions = await db.deleteFrom('saml_assertions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(states.numDeletedRows) + Number(assertions.numDeletedRows);
    },
  };
}
