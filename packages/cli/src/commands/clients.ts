/** `gatehouse clients list|add|disable`. */
import type { Command } from 'commander';
import { newId, OAuthError, randomToken, sha256, type Client } from '@gatehouse-auth/core';
import { rotateClientSecret } from '@gatehouse-auth/authorization-server';
import { withAdminSession } from '../cli/session.ts';
import { printResult, printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { clientById, knownRoles, orgBySlug } from '../cli/lookup.ts';
import { clientSchema } from '../config/schema.ts';

type Flags = DatabaseOptions & OutputOptions;
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface AddFlags extends Flags {
  id?: string;
  name: string;
  redirectUri?: string[];
  public?: boolean;
  service?: boolean;
  org?: string;
  roles?: string;
  scope?: string;
}

const publicClient = ({ secretHash, registrationAccessTokenHash, previousSecretHash, ...client }: Client) => ({ ...client, hasSecret: secretHash !== null });

export function registerClients(program: Command): void {
  const clients = program.command('clients').description('OAuth clients (pre-registered, dynamic, metadata-document and service agents)');
  clients
    .command('list')
    .description('list clients')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags) =>
      withAdminSession(flags, async ({ store }) => {
        const rows = (await store.clients.list()).map(publicClient).sort((a, b) => a.id.localeCompare(b.id));
        printRows(flags, rows, [
          ['client id', (c) => c.id],
          ['name', (c) => c.name],
          ['kind', (c) => c.kind],
          ['status', (c) => c.status],
          ['auth', (c) => c.tokenEndpointAuthMethod],
          ['grant types', (c) => c.grantTypes],
        ]);
      }),
    );
  clients
    .command('add')
    .description('register a client; a confidential client’s secret is printed once and stored only as its SHA-256')
    .requiredOption('--name <name>', 'display name (shown on the consent screen)')
    .option('--id <client_id>', 'client_id (default: generated)')
    .option('--redirect-uri <uri>', 'allowed redirect URI (repeat for several)', collect)
    .option('--public', 'a public client (no secret; PKCE only)')
    .option('--service', 'a client_credentials service agent (needs --org and --roles)')
    .option('--org <slug>', 'service agent: the organization it acts in')
    .option('--roles <roles>', 'service agent: comma-separated roles')
    .option('--scope <scopes>', 'space-separated scopes it may request (default: any the resource supports)')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: AddFlags) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        if (flags.public && flags.service) throw new CliError('a service agent cannot be a public client');
        const secret = flags.public ? undefined : randomToken(32);
        const parsed = clientSchema.safeParse({
          client_id: flags.id ?? newId('cli'),
          name: flags.name,
          redirect_uris: flags.redirectUri ?? [],
          grant_types: flags.service ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: flags.public ? 'none' : 'client_secret_basic',
          secret,
          org: flags.org,
          roles:
            flags.roles
              ?.split(',')
              .map((r) => r.trim())
              .filter(Boolean) ?? [],
          scope: flags.scope,
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new CliError(`${String(issue.path[0] ?? 'client').replaceAll('_', '-')}: ${issue.message}`);
        }
        const entry = parsed.data;
        if (await store.clients.get(entry.client_id)) throw new CliError(`client "${entry.client_id}" already exists`);
        const org = entry.org === undefined ? undefined : await orgBySlug(store, entry.org);
        const roles = flags.service ? await knownRoles(store, entry.roles) : [];
        const now = clock.now();
        const client: Client = {
          id: entry.client_id,
          kind: flags.service ? 'service' : 'preregistered',
          name: entry.name,
          redirectUris: entry.redirect_uris,
          grantTypes: entry.grant_types,
          tokenEndpointAuthMethod: entry.token_endpoint_auth_method,
          secretHash: secret === undefined ? null : sha256(secret),
          applicationType: 'web',
          logoUri: null,
          clientUri: null,
          policyUri: null,
          tosUri: null,
          scope: entry.scope ?? null,
          orgId: org?.id ?? null,
          roles,
          resourceServerFor: [],
          status: 'active',
          registrationAccessTokenHash: null,
          metadataExpiresAt: null,
          createdAt: now,
          updatedAt: now,
        };
        await store.clients.create(client);
        await events.publish({ type: 'client.registered', clientId: client.id, actor });
        const shown = secret === undefined ? '' : `\nclient_secret: ${secret}\n(shown once; store it now)`;
        printResult(flags, `registered client ${client.id}${shown}`, { ...publicClient(client), ...(secret === undefined ? {} : { client_secret: secret }) });
      }),
    );
  clients
    .command('disable')
    .description('block a client and revoke every token issued to it at once')
    .argument('<client_id>', 'the client')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((id: string, flags: Flags) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        const client = await clientById(store, id);
        const now = clock.now();
        await store.clients.setStatus(client.id, 'disabled', now);
        const hashes = await store.tokens.revokeForClient(client.id, now);
        await events.publish({ type: 'client.disabled', clientId: client.id, actor });
        if (hashes.length > 0) await events.publish({ type: 'token.revoked', tokenHashes: hashes, reason: 'client_disabled', clientId: client.id, actor });
        printResult(flags, `disabled client ${client.id}; revoked ${hashes.length} token${hashes.length === 1 ? '' : 's'}`, { clientId: client.id, status: 'disabled', revokedTokens: hashes.length });
      }),
    );
  clients
    .command('rotate-secret')
    .description('give a confidential client a new secret (printed once); the old one keeps working for the overlap')
    .argument('<client_id>', 'the client')
    .requiredOption('--overlap <duration>', 'how long the old secret keeps working, e.g. 24h (0 ends it now; at most 30d)')
    .option('--expires-in <duration>', 'the new secret stops working after this long, e.g. 90d (default: never)')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((id: string, flags: Flags & { overlap: string; expiresIn?: string }) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        const client = await clientById(store, id);
        const overlapMs = durationMs(flags.overlap, '--overlap');
        const expiresInMs = flags.expiresIn === undefined ? null : durationMs(flags.expiresIn, '--expires-in');
        let rotated;
        try {
          rotated = await rotateClientSecret({ store, events, clock }, client.id, { overlapMs, expiresInMs }, actor);
        } catch (error) {
          if (error instanceof OAuthError) throw new CliError(error.message);
          throw error;
        }
        if (!rotated) throw new CliError(`no client ${client.id}`);
        const until = new Date(rotated.previousValidUntil).toISOString();
        const expiry = rotated.expiresAt === null ? 'never expires' : `expires ${new Date(rotated.expiresAt).toISOString()}`;
        printResult(flags, `rotated the secret of ${client.id}: the old one works until ${until}; the new one ${expiry}\nclient_secret: ${rotated.secret}\n(shown once; store it now)`, {
          clientId: client.id,
          client_secret: rotated.secret,
          previousValidUntil: until,
          expiresAt: rotated.expiresAt === null ? null : new Date(rotated.expiresAt).toISOString(),
        });
      }),
    );
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90d`, `24h`, `30m`, `45s`, or `0`. */
export function durationMs(value: string, flag: string): number {
  if (value.trim() === '0') return 0;
  const match = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (!match) throw new CliError(`${flag}: give a duration such as 24h, 90d, 30m or 0`);
  return Number(match[1]) * UNITS[match[2]!]!;
}
