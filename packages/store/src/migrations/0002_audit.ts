/** The audit log's tables and append-only triggers (DDL in src/audit/schema.ts). */
import type { Kysely, Migration } from 'kysely';
import { createAuditSchema } from '../audit/schema.ts';
import { engineOf } from '../kysely/dialect.ts';

export const auditMigration: Migration = {
  async up(db: Kysely<any>) {
    await createAuditSchema(db, engineOf(db));
  },
};
