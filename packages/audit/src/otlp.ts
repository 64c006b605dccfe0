/**
 * SIEM delivery over OTLP/HTTP (OpenTelemetry logs, JSON encoding): audit
 * records are POSTed in batches to `<endpoint>/v1/logs`, which collectors
 * (OpenTelemetry Collector, Datadog, Grafana, Honeycomb, Splunk …) accept.
 * Written small here rather than pulling the OpenTelemetry SDK for one
 * request shape.
 *
 * Delivery: records are durable in the database before they are sent. The
 * exporter keeps at most `maxQueue` records; while the collector fails
 * (network error, 429, 5xx) it retries with exponential backoff (honouring
 * Retry-After), and when the queue is full it drops the oldest; the next
 * batch that goes out carries a `siem.dropped` log record with the count
 * (and onDropped is called). A batch the collector rejects as malformed
 * (other 4xx) is not retried: it is counted as dropped.
 */
import type { AuditLog } from './audit-log.ts';
import { canonicalJson } from './canonical.ts';
import type { AuditRecord } from './record.ts';

export interface OtlpOptions {
  /** Collector base URL, e.g. https://otel.example.com:4318 (`/v1/logs` is appended unless the URL already ends with it). */
  endpoint: string;
  /** Extra request headers, e.g. an API key. */
  headers?: Record<string, string>;
  /** `service.name` resource attribute; default 'gatehouse'. */
  serviceName?: string;
  /** Default 10,000 records. */
  maxQueue?: number;
  /** Records per request; default 500. */
  maxBatch?: number;
  /** First retry delay; doubles up to 30 s. Default 500 ms. */
  retryMs?: number;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
  onDropped?: (count: number) => void;
}

type AnyValue = { stringValue: string } | { intValue: string };
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface LogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: KeyValue[];
}

// OpenTelemetry SeverityNumber: INFO 9, WARN 13, ERROR 17.
const SEVERITY = { success: [9, 'INFO'], denied: [13, 'WARN'], failure: [17, 'ERROR'] } as const;

/** RFC 3339 with microseconds → Unix nanoseconds as a decimal string (OTLP JSON encodes 64-bit integers as strings). */
const unixNanos = (time: string): string => {
  const match = /\.(\d+)Z$/.exec(time);
  const seconds = BigInt(Math.floor(Date.parse(time) / 1000));
  const fraction = (match?.[1] ?? '').padEnd(9, '0').slice(0, 9);
  return (seconds * 1_000_000_000n + BigInt(fraction)).toString();
};

export function otlpLogRecord(record: AuditRecord): LogRecord {
  const [severityNumber, severityText] = SEVERITY[record.result] ?? SEVERITY.success;
  const attributes: KeyValue[] = [
    { key: 'gatehouse.chain', value: { stringValue: record.chain } },
    { key: 'gatehouse.seq', value: { intValue: String(record.seq) } },
    { key: 'gatehouse.hash', value: { stringValue: record.hash } },
    { key: 'event.name', value: { stringValue: record.type } },
  ];
  const optional: [string, string | null][] = [
    ['gatehouse.org', record.orgId],
    ['enduser.id', record.userId],
    ['gatehouse.agent', record.agentId],
    ['gatehouse.client', record.clientId],
    ['gatehouse.tool', record.tool],
    ['gatehouse.result', record.result],
    ['client.address', record.ip],
    ['gatehouse.session', record.sessionId],
  ];
  for (const [key, value] of optional) if (value !== null) attributes.push({ key, value: { stringValue: value } });
  const time = unixNanos(record.time);
  return { timeUnixNano: time, observedTimeUnixNano: time, severityNumber, severityText, body: { stringValue: canonicalJson(record) }, attributes };
}

function droppedLogRecord(count: number): LogRecord {
  const time = (BigInt(Date.now()) * 1_000_000n).toString();
  return {
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber: 13,
    severityText: 'WARN',
    body: { stringValue: JSON.stringify({ type: 'siem.dropped', dropped: count }) },
    attributes: [
      { key: 'event.name', value: { stringValue: 'siem.dropped' } },
      { key: 'gatehouse.dropped', value: { intValue: String(count) } },
    ],
  };
}

export class OtlpLogExporter {
  private readonly queue: AuditRecord[] = [];
  private readonly url: string;
  private dropped = 0;
  private sending: Promise<void> | undefined;
  private retryMs: number;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: OtlpOptions) {
    this.url = options.endpoint.replace(/\/+$/, '').endsWith('/v1/logs') ? options.endpoint : `${options.endpoint.replace(/\/+$/, '')}/v1/logs`;
    this.retryMs = options.retryMs ?? 500;
  }

  attach(log: AuditLog): () => void {
    return log.onAppended((records) => this.send(records));
  }

  send(records: AuditRecord[]): void {
    this.queue.push(...records);
    const max = this.options.maxQueue ?? 10_000;
    if (this.queue.length > max) this.drop(this.queue.splice(0, this.queue.length - max).length);
    if (this.retryTimer === undefined) this.pump();
  }

  /** Sends what is queued (one attempt per batch) and stops retrying. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    await this.sending;
  }

  /** For tests and health: records waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  private drop(count: number): void {
    this.dropped += count;
    this.options.onDropped?.(count);
    this.report(new Error(`otlp: collector unavailable, dropped ${count} oldest records`));
  }

  private pump(): void {
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.maxBatch ?? 500);
      const dropped = this.dropped;
      const logRecords = batch.map(otlpLogRecord);
      if (dropped > 0) logRecords.unshift(droppedLogRecord(dropped));
      const outcome = await this.post(logRecords);
      if (outcome === 'retry') {
        if (this.closed) return;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, this.retryMs);
        this.retryTimer.unref?.();
        this.retryMs = Math.min(this.retryMs * 2, 30_000);
        return;
      }
      this.retryMs = this.options.retryMs ?? 500;
      this.dropped -= dropped;
      // Records may have been dropped from the front while the request was in flight: remove what was sent.
      for (const record of batch) {
        const at = this.queue.indexOf(record);
        if (at >= 0) this.queue.splice(at, 1);
      }
      if (outcome === 'rejected') this.drop(batch.length);
    }
  }

  private async post(logRecords: LogRecord[]): Promise<'sent' | 'retry' | 'rejected'> {
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: this.options.serviceName ?? 'gatehouse' } }] },
          scopeLogs: [{ scope: { name: 'gatehouse.audit' }, logRecords }],
        },
      ],
    });
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel();
      if (response.ok) return 'sent';
      const retryAfter = Number(response.headers.get('retry-after'));
      if (response.status === 429 || response.status >= 500) {
        if (Number.isFinite(retryAfter) && retryAfter > 0) this.retryMs = Math.min(retryAfter * 1000, 30_000);
        this.report(new Error(`otlp: collector answered ${response.status}; retrying`));
        return 'retry';
      }
      this.report(new Error(`otlp: collector rejected a batch with ${response.status}`));
      return 'rejected';
    } catch (error) {
      this.report(error);
      return 'retry';
    }
  }

  private report(error: unknown): void {
    (this.options.onError ?? ((e) => console.error('gatehouse audit otlp:', e instanceof Error ? e.message : e)))(error);
  }
}
