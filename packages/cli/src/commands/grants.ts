/**
 * `gatehouse grants limit <grant_id> --for <duration> | --until <time> [--scope <name>...]`:
 * time-boxed or emergency access that ends by itself (issue 16, item 1).
 * It only ever shortens: the new end is the earlier of the one given and
 * the one already there, so nothing here can extend a grant past its
 * absolute lifetime. When the end comes, the scope leaves introspection at
 * once and the ending is recorded (`grant.scopes_expired` / `grant.expired`).
 */
import type { Command } from 'commander';
import type { Grant } from '@gatehouse-auth/core';
import { withAdminSession } from '../cli/session.ts';
import { printResult, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';

interface LimitFlags extends DatabaseOptions, OutputOptions {
  for?: string;
  until?: string;
  scope?: string[];
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90m`, `8h`, `3d`: a whole number and a unit. */
export function parseDuration(value: string): number {
  const match = /^(\d+)([mhd])$/.exec(value);
  if (!match || Number(match[1]) === 0) throw new CliError(`--for: "${value}" is not a duration like 90m, 8h or 3d`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

function endOf(flags: LimitFlags, now: number): number {
  if ((flags.for === undefined) === (flags.until === undefined)) throw new CliError('give exactly one of --for or --until');
  if (flags.for !== undefined) return now + parseDuration(flags.for);
  const at = Date.parse(flags.until as string);
  if (!Number.isFinite(at) || !/T/.test(flags.until as string)) throw new CliError(`--until: "${flags.until}" is not an ISO 8601 time like 2026-12-24T18:00:00Z`);
  return at;
}

/**
 * The grant's lifetime with `until` applied to `scopes` (none named: every
 * scope of the grant, and the grant's own end), never later than before.
 * The time box is kept per scope because a new consent starts a new grant
 * lifetime but keeps scope ends still ahead (consent/lifetime.ts): the
 * person cannot approve their way past an operator's time box.
 */
export function limited(grant: Grant, until: number, scopes: readonly string[]): Pick<Grant, 'expiresAt' | 'scopeExpiresAt'> {
  const scopeExpiresAt = { ...grant.scopeExpiresAt };
  for (const scope of scopes.length > 0 ? scopes : grant.scopes) scopeExpiresAt[scope] = Math.min(scopeExpiresAt[scope] ?? Infinity, until);
  const expiresAt = scopes.length > 0 ? grant.expiresAt : Math.min(grant.expiresAt ?? Infinity, until);
  return { expiresAt, scopeExpiresAt };
}

export function registerGrants(program: Command): void {
  const grants = program.command('grants').description('remembered consents (user × org × client × resource)');
  grants
    .command('limit <grant_id>')
    .description('end a grant, or some of its scopes, at a set time (time-boxed or emergency access); never extends')
    .option('--for <duration>', 'from now: 90m, 8h, 3d')
    .option('--until <time>', 'an ISO 8601 time, e.g. 2026-12-24T18:00:00Z')
    .option('--scope <name...>', 'only these scopes of the grant (default: the whole grant)')
    .option('--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)')
    .option('--json', 'print JSON')
    .action((grantId: string, flags: LimitFlags) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        const now = clock.now();
        const until = endOf(flags, now);
        const grant = await store.grants.get(grantId);
        if (!grant || grant.revokedAt !== null) throw new CliError(`no live grant "${grantId}"`);
        const scopes = flags.scope ?? [];
        const unknown = scopes.filter((scope) => !grant.scopes.includes(scope));
        if (unknown.length > 0) throw new CliError(`the grant does not hold ${unknown.join(', ')}`);
        await store.grants.setLifetime(grant.id, limited(grant, until, scopes), now);
        await events.publish({ type: 'grant.limited', grantId: grant.id, userId: grant.userId, orgId: grant.orgId, clientId: grant.clientId, scopes, until, actor });
        const what = scopes.length > 0 ? scopes.join(', ') : 'the grant';
        printResult(flags, `${what} of ${grant.id} ends at ${new Date(until).toISOString()}`, { grantId: grant.id, scopes, until: new Date(until).toISOString() });
      }),
    );
}
