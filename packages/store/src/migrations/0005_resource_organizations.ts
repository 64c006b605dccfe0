/**
 * Resources belong to organizations (outside attack, issue 10): a resource
 * lists the org ids it serves, or is multi-tenant; and a client may be the
 * resource server of named resources, the only clients allowed to
 * introspect or follow the revocation stream.
 *
 * JSON text columns, like a resource's scopes and a client's roles: both
 * lists are read whole with their row on the hot paths (catalogue, client
 * authentication), never queried by element. Existing rows get the safe
 * default: a resource that serves no organization, a client that serves no
 * resource, until the config names them.
 */
import type { Kysely, Migration } from 'kysely';

export const resourceOrganizationsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('resources')
      .addColumn('organizations', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema
      .alterTable('resources')
      .addColumn('multi_tenant', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('clients')
      .addColumn('resource_server_for', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('clients').dropColumn('resource_server_for').execute();
    await db.schema.alterTable('resources').dropColumn('multi_tenant').execute();
    await db.schema.alterTable('resources').dropColumn('organizations').execute();
  },
};
