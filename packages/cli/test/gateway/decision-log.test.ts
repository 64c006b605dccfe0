/**
 * `gatehouse gateway` without an audit log writes each decision as a JSON line. Those lines skip
 * pino's per-line path redaction (listen-gateway.ts) and apply the one rule that can match them, so
 * these tests hold the lines to what the logger's own redaction would have written.
 */
import type { GatewayDecisionRecord } from '@gatehouse-auth/gateway';
import { describe, expect, it } from 'vitest';
import { decisionLine, logGatewayDecisions } from '../../src/gateway/listen-gateway.ts';
import { createLogger, REDACT_PATHS } from '../../src/server/logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } as never });
  return { logger, lines };
}

const withoutTime = ({ time: _time, ...line }: Record<string, unknown>) => line;

/** Every field name any of the logger's paths ends with: whatever the logger would hide on some path. */
const PATH_FIELDS = [...new Set(REDACT_PATHS.map((path) => path.replace(/^.*[.[]"?/, '').replace(/"?]$/, '')))];

describe('gateway decision lines', () => {
  it('redact every secret-named field of the audit entry exactly as the logger’s own redaction does', () => {
    const audit: Record<string, unknown> = { type: 'authz.decision', tool: 'echo', params: { message: 'hi', token: 'nested-left-to-params-redaction' } };
    for (const field of PATH_FIELDS) audit[field] = `leak-${field}`;
    const ours = capture();
    decisionLine(ours.logger)(audit);
    const theirs = capture();
    theirs.logger.info({ audit }, 'gateway decision');

    expect(withoutTime(ours.lines[0]!)).toEqual(withoutTime(theirs.lines[0]!));
    const written = ours.lines[0]!.audit as Record<string, unknown>;
    expect(written.token).toBe('[redacted]');
    expect(written.client_secret).toBe('[redacted]');
    expect(written.authorization).toBe('[redacted]');
    // The entry handed in is not changed (the caller may still hold it).
    expect(audit.token).toBe('leak-token');
  });

  it('write a decision with its arguments redacted and its upstream named', () => {
    const { logger, lines } = capture();
    const record: GatewayDecisionRecord = {
      upstream: 'everything',
      principal: { subject: 'agent-1', kind: 'service', orgId: 'org-1', roles: ['Automation'] },
      clientId: 'bench-agent',
      kind: 'tool',
      tool: 'echo',
      arguments: { message: 'hello', password: 'hunter2' },
      result: 'allow',
      reason: undefined,
      scopes: ['everything:use'],
      ip: '127.0.0.1',
      userAgent: undefined,
      at: Date.UTC(2026, 11, 6),
      outcome: 'success',
    };
    logGatewayDecisions(logger)(record);

    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe('gateway decision');
    const audit = lines[0]!.audit as { tool: string; clientId: string; params: Record<string, unknown>; details: { upstream: string } };
    expect(audit.tool).toBe('echo');
    expect(audit.clientId).toBe('bench-agent');
    expect(audit.details.upstream).toBe('everything');
    expect(audit.params.message).toBe('hello');
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
  });
});
