/**
 * What each scope unlocks (issue 16, "consent that explains"): a resource
 * stores the operation → scopes map its resource server declared, so the
 * consent screen can list the tools, resources and prompts under each scope.
 * A JSON text column read whole with its row, like the resource's scopes;
 * existing rows declare nothing until the config does.
 */
import type { Kysely, Migration } from 'kysely';

export const scopeOperationsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('resources')
      .addColumn('operations', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('resources').dropColumn('operations').execute();
  },
};
