/** `gatehouse audit keygen|checkpoint|verify|query|export|prune` (docs/audit.md). */
import type { Command } from 'commander';
import { registerAuditKeys } from './audit-keys.ts';
import { registerAuditRead } from './audit-read.ts';
import { registerAuditVerify } from './audit-verify.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log: verify, query, export, checkpoint, prune');
  registerAuditKeys(audit);
  registerAuditVerify(audit);
  registerAuditRead(audit);
}
