/**
 * `gatehouse keys list|rotate`: the ES256 keys that sign JWT access tokens
 * (RFC 9068) and are published at /jwks.json.
 *
 * Rotation makes a new key active at once and retires the previous one,
 * which stays published for an overlap window: the longest access-token
 * lifetime plus the minute a running server may keep signing with its
 * cached key (authorization-server keys/signing-keys.ts), so every token
 * it signed still verifies until it expires. Resource servers that cache
 * the JWKS refetch it when they meet an unknown `kid`.
 */
import type { Command } from 'commander';
import { resolveOptions, rotateSigningKey, type ServerContext } from '@gatehouse-auth/authorization-server';
import { withAdminSession, type AdminSession } from '../cli/session.ts';
import { printResult, printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { loadConfigFile } from '../config/load.ts';
import { toServerOptions } from '../config/server-options.ts';

interface KeyFlags extends DatabaseOptions, OutputOptions {
  config?: string;
}

const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;
const CONFIG = ['--config <file>', 'gatehouse.yaml whose server section sets access-token lifetimes (default: the built-in lifetimes)'] as const;

/** The key functions need a server context; the CLI has no issuer of its own, only lifetimes matter here. */
async function keyContext(session: AdminSession, config: string | undefined): Promise<ServerContext> {
  const file = config ? await loadConfigFile(config, { allowLiteralSecrets: true, env: new Proxy({}, { get: () => 'x'.repeat(32) }) }) : undefined;
  return {
    store: session.store,
    events: session.events,
    clock: session.clock,
    options: resolveOptions(toServerOptions(file?.server ?? {}, 'https://gatehouse.invalid')),
    log: () => {},
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('JWT access-token signing keys (/jwks.json)');
  keys
    .command('list')
    .description('list signing keys: which signs, which are still published')
    .option(...DB)
    .option(...CONFIG)
    .option('--json', 'print JSON')
    .action((flags: KeyFlags) =>
      withAdminSession(flags, async (session) => {
        const ctx = await keyContext(session, flags.config);
        const all = (await session.store.keys.list()).sort((a, b) => a.createdAt - b.createdAt);
        const overlapMs = overlapOf(ctx);
        const rows = all.map((key, i) => {
          const successor = all.slice(i + 1).find((k) => k.createdAt >= key.createdAt);
          const publishedUntil = key.status === 'active' ? null : successor ? successor.createdAt + overlapMs : null;
          return { kid: key.kid, alg: key.alg, status: key.status, createdAt: iso(key.createdAt), publishedUntil: publishedUntil === null ? null : iso(publishedUntil) };
        });
        printRows(flags, rows, [
          ['kid', (r) => r.kid],
          ['alg', (r) => r.alg],
          ['status', (r) => r.status],
          ['created', (r) => r.createdAt],
          ['published until', (r) => r.publishedUntil ?? (r.status === 'active' ? 'signing' : '-')],
        ]);
      }),
    );
  keys
    .command('rotate')
    .description('make a new signing key active; the previous one stays published for the overlap window')
    .option(...DB)
    .option(...CONFIG)
    .option('--json', 'print JSON')
    .action((flags: KeyFlags) =>
      withAdminSession(flags, async (session) => {
        const ctx = await keyContext(session, flags.config);
        const previous = (await session.store.keys.list()).filter((key) => key.status === 'active').map((key) => key.kid);
        const created = await rotateSigningKey(ctx);
        const until = iso(created.createdAt + overlapOf(ctx));
        printResult(
          flags,
          `new signing key ${created.kid} is active (running servers switch within a minute)${previous.length > 0 ? `; ${previous.join(', ')} retired, published in /jwks.json until ${until}` : ''}`,
          { kid: created.kid, retired: previous, publishedUntil: previous.length > 0 ? until : null },
        );
      }),
    );
}

/** How long a retired key stays published after its successor was created (signing-keys.ts publishedJwks). */
function overlapOf(ctx: ServerContext): number {
  return Math.max(...Object.values(ctx.options.accessTokenTtl)) * 1000 + 60_000;
}
