/**
 * The ordered migration registry. Names sort lexically and run in that
 * order; a shipped migration is never edited, only followed by a new one.
 * `0002_audit` is reserved for the audit package (packages/store/src/audit).
 */
import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001_initial.ts';
import { auditMigration } from './0002_audit.ts';
import { tokenIndexesMigration } from './0003_token_indexes.ts';
import { tokenGrantFamilyIndexMigration } from './0004_token_grant_family_index.ts';
import { resourceOrganizationsMigration } from './0005_resource_organizations.ts';
import { rateLimitRawKeysMigration } from './0006_rate_limit_raw_keys.ts';
import { eventOutboxMigration } from './0007_event_outbox.ts';
import { grantLifetimesMigration } from './0008_grant_lifetimes.ts';
import { orgClientPolicyMigration } from './0009_org_client_policy.ts';
import { clientSecretRotationMigration } from './0010_client_secret_rotation.ts';
import { scopeOperationsMigration } from './0011_scope_operations.ts';
import { federationMigration } from './0012_federation.ts';
import { setupLinksMigration } from './0013_setup_links.ts';
import { scimDirectoryMigration } from './0014_scim_directory.ts';
import { scimTokensMigration } from './0015_scim_tokens.ts';
import { approvalsMigration } from './0016_approvals.ts';
import { grantNextEndMigration } from './0018_grant_next_end.ts';
import { samlMigration } from './0019_saml.ts';

export interface NamedMigration {
  name: string;
  migration: Migration;
}

export const migrations: NamedMigration[] = [
  { name: '0001_initial', migration: initialMigration },
  { name: '0002_audit', migration: auditMigration },
  { name: '0003_token_indexes', migration: tokenIndexesMigration },
  { name: '0004_token_grant_family_index', migration: tokenGrantFamilyIndexMigration },
  { name: '0005_resource_organizations', migration: resourceOrganizationsMigration },
  { name: '0006_rate_limit_raw_keys', migration: rateLimitRawKeysMigration },
  { name: '0007_event_outbox', migration: eventOutboxMigration },
  { name: '0008_grant_lifetimes', migration: grantLifetimesMigration },
  { name: '0009_org_client_policy', migration: orgClientPolicyMigration },
  { name: '0010_client_secret_rotation', migration: clientSecretRotationMigration },
  { name: '0011_scope_operations', migration: scopeOperationsMigration },
  { name: '0012_federation', migration: federationMigration },
  { name: '0013_setup_links', migration: setupLinksMigration },
  { name: '0014_scim_directory', migration: scimDirectoryMigration },
  { name: '0015_scim_tokens', migration: scimTokensMigration },
  { name: '0016_approvals', migration: approvalsMigration },
  { name: '0018_grant_next_end', migration: grantNextEndMigration },
  { name: '0019_saml', migration: samlMigration },
];

/** Kysely's Migrator reads migrations from code, not from a folder: bundles and tsx both work. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return Object.fromEntries(migrations.map(({ name, migration }) => [name, migration]));
  },
};
