/**
 * Drops login rate-limit counters keyed by the email field as typed
 * (`login:account:<what was typed>`). Issue 10 #11: a password typed into
 * the email field ended up in `rate_limits.key`. Counters are now keyed by
 * a SHA-256 (authorization-server session/throttle.ts); the old rows are
 * only fixed-window counters, so deleting them costs at most one window of
 * throttling state, and leaves no typed secret behind.
 */
import type { Kysely, Migration } from 'kysely';

export const rateLimitRawKeysMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.deleteFrom('rate_limits').where('key', 'like', 'login:account:%').execute();
  },
  async down() {
    // Nothing to restore: the deleted rows were short-lived counters.
  },
};
