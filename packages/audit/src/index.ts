export { AuditLog, type AuditLogOptions, type AppendedRef, type AuditBacklog } from './audit-log.ts';
export { canonicalJson, type JsonValue } from './canonical.ts';
export { canonicalRecord, chainHash, GENESIS_HASH } from './chain.ts';
export {
  auditSignerFromEnv,
  generateAuditSigner,
  loadAuditSigner,
  loadAuditPublicKey,
  signCheckpoint,
  checkpointSignatureValid,
  keyIdOf,
  type AuditSigner,
} from './checkpoint.ts';
export { auditDecisions, decisionToEntry, auditRefusedTokens, refusedTokensToEntry, type DecisionLike, type RefusedTokensLike } from './decision.ts';
export { auditEvents, eventToEntry, type EventAuditOptions } from './events.ts';
export { exportChainJsonl } from './export.ts';
export { orgAuditReader, systemAuditReader, MAX_PAGE, type AuditQuery, type AuditPage } from './query.ts';
export { SYSTEM_CHAIN, chainOf, recordFromRow, type AuditEntry, type AuditRecord, type AuditResult, type AuditActor } from './record.ts';
export { createRedactor, DEFAULT_REDACTED_FIELDS, REDACTED, type RedactionConfig, type Redactor } from './redact.ts';
export { pruneExpired } from './retention.ts';
export { formatSyslogFrame, formatDroppedFrame, SyslogForwarder, type SyslogOptions } from './syslog.ts';
export { OtlpLogExporter, otlpLogRecord, type OtlpOptions } from './otlp.ts';
export { formatMicros, normalizeTime, systemMicroClock, microClockFrom, type MicroClock } from './time.ts';
export { verifyExport, ExportFormatError } from './verify-export.ts';
export { verifyChain, type ChainSource, type VerifyResult, type VerifyFailure, type VerifyFailureReason, type VerifyOptions } from './verify.ts';
export { auditRoutes, type AuditRoutesOptions } from './http/routes.ts';
