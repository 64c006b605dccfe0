export * from './types.ts';
export { createAuditSchema } from './schema.ts';
export { createKyselyAuditStore } from './kysely-audit-store.ts';
