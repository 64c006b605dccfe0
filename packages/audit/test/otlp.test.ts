/**
 * SIEM delivery over OTLP/HTTP (JSON logs to /v1/logs), against a local
 * HTTP collector: the payload is OTLP's shape, failures are retried with
 * backoff, and a full queue drops the oldest and then says how many.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { OtlpLogExporter } from '../src/otlp.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    resourceLogs: {
      resource: { attributes: unknown[] };
      scopeLogs: {
        scope: { name: string };
        logRecords: { timeUnixNano: string; severityNumber: number; body: { stringValue: string }; attributes: { key: string; value: Record<string, string> }[] }[];
      }[];
    }[];
  };
}

async function startCollector(statuses: number[] = []) {
  const received: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      attempts++;
      const status = statuses.shift() ?? 200;
      if (status === 200) received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(text) });
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { url: `http://127.0.0.1:${port}`, received, attempts: () => attempts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
};
const records = (r: Received[]) => r.flatMap((x) => x.body.resourceLogs.flatMap((l) => l.scopeLogs.flatMap((s) => s.logRecords)));
const attr = (record: ReturnType<typeof records>[number], key: string) => record.attributes.find((a) => a.key === key)?.value;

describe('SIEM: OTLP/HTTP log export', () => {
  let t: TestStore;
  let log: AuditLog;
  beforeEach(async () => {
    t = await createTestStore('sqlite');
    log = new AuditLog({ store: t.store.audit });
  });
  afterEach(async () => {
    await log.close();
    await t.cleanup();
  });

  it('POSTs each record as an OTLP log record to /v1/logs, with the chain position and the record as body', async () => {
    const collector = await startCollector();
    const exporter = new OtlpLogExporter({ endpoint: collector.url, headers: { authorization: 'Bearer collector-key' } });
    exporter.attach(log);
    try {
      await log.append({ type: 'authz.decision', result: 'failure', orgId: 'org_acme', tool: 'tickets.read', error: 'boom', time: '2026-12-06T12:00:00.123456Z' });
      await until(() => records(collector.received).length === 1);
      const [request] = collector.received;
      expect(request!.path).toBe('/v1/logs');
      expect(request!.headers['content-type']).toBe('application/json');
      expect(request!.headers.authorization).toBe('Bearer collector-key');
      expect(request!.body.resourceLogs[0]!.scopeLogs[0]!.scope.name).toBe('gatehouse.audit');
      const [record] = records(collector.received);
      expect(record!.timeUnixNano).toBe(`${Date.UTC(2026, 11, 6, 12) / 1000}123456000`); // microseconds kept, as nanoseconds
      expect(record!.severityNumber).toBe(17);
      expect(attr(record!, 'gatehouse.chain')).toEqual({ stringValue: 'org_acme' });
      expect(attr(record!, 'gatehouse.seq')).toEqual({ intValue: '1' });
      expect(attr(record!, 'event.name')).toEqual({ stringValue: 'authz.decision' });
      expect(JSON.parse(record!.body.stringValue)).toMatchObject({ tool: 'tickets.read', result: 'failure', error: 'boom' });
    } finally {
      await exporter.close();
      await collector.close();
    }
  });

  it('retries with backoff while the collector answers 503, then delivers every record once', async () => {
    const collector = await startCollector([503, 503]);
    const exporter = new OtlpLogExporter({ endpoint: `${collector.url}/v1/logs`, retryMs: 10, onError: () => {} });
    exporter.attach(log);
    try {
      await log.append({ type: 'a', result: 'success' });
      await log.append({ type: 'b', result: 'success' });
      await until(() => records(collector.received).length === 2);
      expect(collector.attempts()).toBeGreaterThanOrEqual(3);
      expect(records(collector.received).map((r) => attr(r, 'event.name')?.stringValue)).toEqual(['a', 'b']);
    } finally {
      await exporter.close();
      await collector.close();
    }
  });

  it('with a full queue drops the oldest, and the next delivery carries a siem.dropped record with the count', async () => {
    const collector = await startCollector([503]);
    const dropped: number[] = [];
    const exporter = new OtlpLogExporter({ endpoint: collector.url, maxQueue: 2, retryMs: 100, onError: () => {}, onDropped: (n) => dropped.push(n) });
    exporter.attach(log);
    try {
      for (const type of ['r1', 'r2', 'r3', 'r4', 'r5']) await log.append({ type, result: 'success' });
      await until(() => records(collector.received).length >= 3);
      const names = records(collector.received).map((r) => attr(r, 'event.name')?.stringValue);
      expect(names).toEqual(['siem.dropped', 'r4', 'r5']);
      expect(attr(records(collector.received)[0]!, 'gatehouse.dropped')).toEqual({ intValue: '3' });
      expect(dropped.reduce((a, b) => a + b, 0)).toBe(3);
      await until(() => exporter.pending === 0); // the collector's answer may still be on its way
    } finally {
      await exporter.close();
      await collector.close();
    }
  });
});
