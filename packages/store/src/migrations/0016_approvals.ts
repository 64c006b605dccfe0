/**
 * Per-call human approvals (issue 15 item 4): a pending approval bound to
 * the grant, the subject, the client, the tool and the SHA-256 of the
 * canonical arguments, decided once in the browser and consumed once by
 * the resource server. Rows live minutes; the arguments are kept only so
 * the approver sees what they approve.
 */
import type { Kysely, Migration } from 'kysely';

export const approvalsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('grant_id', 'text')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('org_id', 'text')
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('tool', 'text', (c) => c.notNull())
      .addColumn('arguments', 'text', (c) => c.notNull())
      .addColumn('arguments_sha256', 'text', (c) => c.notNull())
      .addColumn('approver_roles', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('self_approval', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_at', 'bigint')
      .addColumn('consumed_at', 'bigint')
      .execute();
    // Consuming without the echoed state looks an approval up by what it is bound to.
    await db.schema.createIndex('approvals_binding').on('approvals').columns(['client_id', 'subject', 'tool', 'arguments_sha256']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('approvals').execute();
  },
};
