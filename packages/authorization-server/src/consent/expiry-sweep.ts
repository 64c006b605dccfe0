/**
 * Access that ends by itself is recorded when it ends (issue 16, item 1),
 * not only when a refresh happens to notice: every `grantExpirySweepMs` a
 * running server asks the store for live grants whose next end has come
 * (`grants.endingBy`) and records each ending as a refresh would
 * (token/grant-lifetime.ts): a grant past its end, or whose every scope has
 * ended, is revoked with its tokens (`grant.expired`, `token.revoked`); time-
 * boxed scopes that ended leave the grant (`grant.scopes_expired`). The
 * audit log writes one record per event; the revocation stream forwards
 * them. Each ending goes to exactly one caller of the store, so several
 * processes sweeping one database record it once.
 *
 * Grants stored before they had an absolute end (expires_at null: their end
 * is counted from creation by the catalogue in force) are ended by refresh
 * and /authorize as before, not by the sweep.
 */
import type { Grant } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { dropEndedScopes, expireGrant } from '../token/grant-lifetime.ts';
import { endedScopes } from './lifetime.ts';

/** Grants handled per store query; a sweep repeats the query until fewer come back. */
const BATCH = 100;

/** One sweep: records every ending due by now; returns how many grants it ended or narrowed. */
export async function sweepEndedGrants(ctx: ServerContext): Promise<number> {
  const now = ctx.clock.now();
  let recorded = 0;
  for (;;) {
    const due = await ctx.store.grants.endingBy(now, BATCH);
    let progressed = false;
    for (const grant of due) {
      if (!(await recordEnding(ctx, grant, now))) continue; // another process recorded it
      recorded += 1;
      progressed = true;
    }
    // A full batch that this process recorded: there may be more. One it recorded none of: the next sweep goes on.
    if (due.length < BATCH || !progressed) return recorded;
  }
}

async function recordEnding(ctx: ServerContext, grant: Grant, now: number): Promise<boolean> {
  if (grant.expiresAt !== null && grant.expiresAt <= now) return expireGrant(ctx, grant, grant.scopes, grant.expiresAt);
  const gone = endedScopes(grant, grant.scopes, now);
  if (gone.length > 0 && gone.length === grant.scopes.length) {
    return expireGrant(ctx, grant, gone, Math.max(...gone.map((scope) => grant.scopeExpiresAt[scope]!)));
  }
  return dropEndedScopes(ctx, grant, now);
}

/** Sweeps every `ctx.options.grantExpirySweepMs` (never two at once) until the returned stop() is called; 0 starts nothing. */
export function startGrantExpirySweep(ctx: ServerContext): { stop(): Promise<void> } {
  const every = ctx.options.grantExpirySweepMs;
  if (every <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepEndedGrants(ctx)
      .then(
        (recorded) => {
          if (recorded > 0) ctx.log('info', 'grant expiry sweep: endings recorded', { grants: recorded });
        },
        (error: unknown) => ctx.log('error', 'grant expiry sweep failed; the next one tries again', { error: String(error) }),
      )
      .finally(() => {
        running = undefined;
      });
  }, every);
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
