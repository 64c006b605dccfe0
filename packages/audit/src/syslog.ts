/**
 * SIEM streaming: RFC 5424 syslog messages over TCP with octet-counting
 * framing (RFC 6587 §3.4.1: `MSG-LEN SP SYSLOG-MSG`, so messages may hold
 * any byte, newlines included), or over TLS (RFC 5425: the same framing
 * inside a TLS connection, the receiver's certificate verified). Facility 13 ("log audit", RFC 5424 §6.2.1);
 * severity 6 for success, 5 (notice) for denied, 4 (warning) for failure.
 * The timestamp is the record's own (six fractional digits, the most
 * TIME-SECFRAC allows). The chain position travels as structured data so
 * the SIEM can spot gaps; the MSG is the record's canonical JSON.
 *
 * Delivery: records are durable in the database before they are sent; the
 * forwarder buffers up to `maxQueue` frames while the receiver is away and
 * reconnects with backoff. Past that it drops the oldest, and once the
 * receiver is back sends a `siem.dropped` message saying how many were
 * dropped (and calls onDropped, so the composition can record it in the
 * audit log too). The database remains the source of truth;
 * `gatehouse audit export` fills any gap. TCP syslog has no acknowledgements (RFC 6587 §3.4):
 * frames written just as a connection dies can be lost; the seq in the
 * structured data lets the SIEM see such a gap.
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { hostname as osHostname } from 'node:os';
import type { AuditLog } from './audit-log.ts';
import { canonicalJson } from './canonical.ts';
import type { AuditRecord } from './record.ts';

export interface SyslogOptions {
  host: string;
  port: number;
  /** HOSTNAME field; default os.hostname(). */
  hostname?: string;
  appName?: string;
  /** SD-ID enterprise number; default 32473 (RFC 5612's documentation number): set your own. */
  enterpriseId?: number;
  /** RFC 5425 syslog over TLS: CA (PEM) to verify the receiver with, client certificate and key for mutual TLS, servername. */
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'>;
  maxQueue?: number;
  reconnectMs?: number;
  onError?: (error: unknown) => void;
  /** Called when frames had to be dropped (queue full), with how many. */
  onDropped?: (count: number) => void;
}

const FACILITY_LOG_AUDIT = 13;
const SEVERITY = { success: 6, denied: 5, failure: 4 } as const;
const BOM = '\u{FEFF}';

/** Printable US-ASCII without spaces (RFC 5424 header fields), at most `max` characters; NILVALUE when empty. */
const headerField = (value: string, max: number): string => {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length === 0 ? '-' : clean;
};
/** PARAM-VALUE escaping (RFC 5424 §6.3.3): `"`, `\` and `]` are backslash-escaped. */
const paramValue = (value: string): string => value.replace(/["\\\]]/g, (c) => `\\${c}`);

export function formatSyslogFrame(record: AuditRecord, options: Omit<SyslogOptions, 'host' | 'port'> = {}): string {
  const pri = FACILITY_LOG_AUDIT * 8 + (SEVERITY[record.result] ?? 6);
  const params: [string, string | number | null][] = [
    ['chain', record.chain],
    ['seq', record.seq],
    ['hash', record.hash],
    ['org', record.orgId],
    ['user', record.userId],
    ['agent', record.agentId],
    ['client', record.clientId],
    ['tool', record.tool],
    ['result', record.result],
    ['ip', record.ip],
  ];
  const sd = `[gatehouse@${options.enterpriseId ?? 32473}${params
    .filter(([, v]) => v !== null)
    .map(([k, v]) => ` ${k}="${paramValue(String(v))}"`)
    .join('')}]`;
  const message =
    [
      `<${pri}>1`,
      record.time,
      headerField(options.hostname ?? osHostname(), 255),
      headerField(options.appName ?? 'gatehouse', 48),
      headerField(String(process.pid), 128),
      headerField(record.type, 32),
      sd,
    ].join(' ') + ` ${BOM}${canonicalJson(record)}`;
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

/** The message that tells the SIEM how many messages the full queue dropped (a gap it cannot see otherwise). */
export function formatDroppedFrame(count: number, options: Omit<SyslogOptions, 'host' | 'port'> = {}, time = new Date().toISOString()): string {
  const message =
    [
      `<${FACILITY_LOG_AUDIT * 8 + SEVERITY.failure}>1`,
      time,
      headerField(options.hostname ?? osHostname(), 255),
      headerField(options.appName ?? 'gatehouse', 48),
      headerField(String(process.pid), 128),
      'siem.dropped',
      `[gatehouse@${options.enterpriseId ?? 32473} dropped="${count}"]`,
    ].join(' ') + ` ${BOM}${JSON.stringify({ type: 'siem.dropped', dropped: count })}`;
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

export class SyslogForwarder {
  private socket: Socket | undefined;
  private connected = false;
  private closed = false;
  private readonly queue: string[] = [];
  private retryMs: number;
  private dropped = 0;

  constructor(private readonly options: SyslogOptions) {
    this.retryMs = options.reconnectMs ?? 500;
    this.open();
  }

  /** Whether frames are written now (false while reconnecting: they are buffered). */
  get isConnected(): boolean {
    return this.connected;
  }

  /** Forwards every record `log` commits from now on; returns the detach function. */
  attach(log: AuditLog): () => void {
    return log.onAppended((records) => this.send(records));
  }

  send(records: AuditRecord[]): void {
    for (const record of records) this.queue.push(formatSyslogFrame(record, this.options));
    const max = this.options.maxQueue ?? 100_000;
    if (this.queue.length > max) {
      const dropped = this.queue.splice(0, this.queue.length - max).length;
      this.dropped += dropped;
      this.options.onDropped?.(dropped);
      this.report(new Error(`syslog: receiver unavailable, dropped ${dropped} oldest messages`));
    }
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    if (socket === undefined || !this.connected) {
      socket?.destroy();
      return;
    }
    await new Promise<void>((resolve) => socket.end(resolve));
  }

  private open(): void {
    if (this.closed) return;
    const tls = this.options.tls;
    const socket = tls
      ? connectTls({ host: this.options.host, port: this.options.port, ...tls, servername: tls.servername ?? (/^[\d.:]+$/.test(this.options.host) ? undefined : this.options.host) })
      : connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    // Over TLS nothing is written before the handshake (and the certificate check) succeeded.
    socket.on(tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.retryMs = this.options.reconnectMs ?? 500;
      this.pump();
    });
    socket.on('error', (error) => this.report(error));
    socket.on('end', () => (this.connected = false)); // the receiver went away: buffer from now on
    socket.on('close', () => {
      this.connected = false;
      if (this.closed) return;
      setTimeout(() => this.open(), this.retryMs).unref();
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    });
  }

  private pump(): void {
    if (!this.connected || this.socket === undefined || this.queue.length === 0) return;
    const frames = this.queue.splice(0, this.queue.length);
    if (this.dropped > 0) {
      frames.unshift(formatDroppedFrame(this.dropped, this.options));
      this.dropped = 0;
    }
    this.socket.write(frames.join(''));
  }

  private report(error: unknown): void {
    (this.options.onError ?? ((e) => console.error('gatehouse audit syslog:', e instanceof Error ? e.message : e)))(error);
  }
}
