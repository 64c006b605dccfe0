/**
 * Where the standalone gateway's decisions go when gateway.yaml names an
 * audit database: the same hash-chained audit log `gatehouse serve`
 * writes (one `authz.decision` record per call and per denial, with
 * `details.upstream`), checkpoints signed with GATEHOUSE_AUDIT_KEY_FILE,
 * readable with `gatehouse audit query|verify --database-url`.
 */
import type { Logger } from 'pino';
import { AuditLog, auditSignerFromEnv } from '@gatehouse-auth/audit';
import type { GatewayDecisionRecord } from '@gatehouse-auth/gateway';
import { createStore } from '@gatehouse-auth/store';
import { auditGatewayDecisions } from './listen-gateway.ts';

export interface GatewayAudit {
  onDecision: (record: GatewayDecisionRecord) => Promise<void>;
  /** Writes what is queued (and the tail's checkpoint), then closes the database. */
  close(): Promise<void>;
}

export async function openGatewayAudit(databaseUrl: string, logger: Logger): Promise<GatewayAudit> {
  const store = await createStore(databaseUrl);
  const log = new AuditLog({ store: store.audit, signer: auditSignerFromEnv(), onError: (error) => logger.error({ err: error }, 'audit log failure') });
  return {
    onDecision: auditGatewayDecisions(log),
    async close() {
      await log.close();
      await store.close();
    },
  };
}
