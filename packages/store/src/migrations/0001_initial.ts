/**
 * The access model, clients, grants, codes and tokens. The same DDL runs on
 * SQLite and PostgreSQL: `bigint` epoch-ms timestamps, JSON as `text`,
 * booleans as `integer`. Every lookup path has an index; token and code
 * hashes are primary keys (introspection is one primary-key read).
 */
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

export const initialMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('organizations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('audit_retention_days', 'integer')
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .execute();

    // Memberships disappear with their user or organization.
    await db.schema
      .createTable('memberships')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'org_id'])
      .execute();
    await db.schema.createIndex('memberships_org_idx').on('memberships').column('org_id').execute();

    await db.schema
      .createTable('roles')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('permissions', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('scopes')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('allowed_roles', 'text', (c) => c.notNull())
      .addColumn('sensitivity', 'text', (c) => c.notNull())
      .addColumn('optional', 'integer', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('resources')
      .addColumn('uri', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('redirect_uris', 'text', (c) => c.notNull())
      .addColumn('grant_types', 'text', (c) => c.notNull())
      .addColumn('token_endpoint_auth_method', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text')
      .addColumn('application_type', 'text', (c) => c.notNull())
      .addColumn('logo_uri', 'text')
      .addColumn('client_uri', 'text')
      .addColumn('policy_uri', 'text')
      .addColumn('tos_uri', 'text')
      .addColumn('scope', 'text')
      .addColumn('org_id', 'text')
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('registration_access_token_hash', 'text')
      .addColumn('metadata_expires_at', ms)
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('grants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text')
      .addColumn('org_id', 'text')
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('scope_consented_at', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .addColumn('revoked_at', ms)
      .execute();
    await db.schema.createIndex('grants_user_client_idx').on('grants').columns(['user_id', 'client_id', 'resource']).execute();
    await db.schema.createIndex('grants_client_idx').on('grants').column('client_id').execute();

    await db.schema
      .createTable('authorization_codes')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('grant_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text')
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('code_challenge', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text')
      .addColumn('auth_time', ms, (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('expires_at', ms, (c) => c.notNull())
      .addColumn('consumed_at', ms)
      .execute();
    await db.schema.createIndex('codes_grant_idx').on('authorization_codes').column('grant_id').execute();
    await db.schema.createIndex('codes_user_idx').on('authorization_codes').column('user_id').execute();
    await db.schema.createIndex('codes_client_idx').on('authorization_codes').column('client_id').execute();

    await db.schema
      .createTable('tokens')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('org_id', 'text')
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('expires_at', ms, (c) => c.notNull())
      .addColumn('revoked_at', ms)
      .addColumn('rotated_at', ms)
      .addColumn('parent_hash', 'text')
      .execute();
    await db.schema.createIndex('tokens_grant_idx').on('tokens').column('grant_id').execute();
    await db.schema.createIndex('tokens_family_idx').on('tokens').column('family_id').execute();
    await db.schema.createIndex('tokens_user_idx').on('tokens').columns(['user_id', 'org_id']).execute();
    await db.schema.createIndex('tokens_client_idx').on('tokens').column('client_id').execute();
    await db.schema.createIndex('tokens_parent_idx').on('tokens').column('parent_hash').execute();
    await db.schema.createIndex('tokens_expires_idx').on('tokens').column('expires_at').execute();

    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_jwk', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('login_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('expires_at', ms, (c) => c.notNull())
      .addColumn('revoked_at', ms)
      .execute();
    await db.schema.createIndex('sessions_user_idx').on('login_sessions').column('user_id').execute();

    await db.schema
      .createTable('interactions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('expires_at', ms, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('interactions_expires_idx').on('interactions').column('expires_at').execute();

    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('window_start', ms, (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<any>) {
    for (const table of [
      'settings',
      'rate_limits',
      'interactions',
      'login_sessions',
      'signing_keys',
      'tokens',
      'authorization_codes',
      'grants',
      'clients',
      'resources',
      'scopes',
      'roles',
      'memberships',
      'organizations',
      'users',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
