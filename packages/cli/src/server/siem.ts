/**
 * Streams the audit log to the SIEM the config names (`siem:`): syslog over
 * TLS (RFC 5425) or TCP, and OTLP/HTTP logs. Both deliver records already
 * durable in the database, retry with backoff and keep a bounded queue;
 * what a full queue drops is logged here and announced to the SIEM itself
 * (a `siem.dropped` message). Not written to the audit log: that record
 * would join the same full queue.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { OtlpLogExporter, SyslogForwarder, type AuditLog } from '@gatehouse-auth/audit';
import type { SiemConfig } from '../config/schema.ts';

export interface RunningSiem {
  close(): Promise<void>;
}

export async function startSiem(config: SiemConfig | undefined, log: AuditLog | undefined, logger: Logger): Promise<RunningSiem | undefined> {
  if (!log || !config || (!config.syslog && !config.otlp)) return undefined;
  const closers: (() => Promise<void>)[] = [];
  const onError = (target: string) => (error: unknown) => logger.warn({ err: error }, `audit ${target} delivery`);
  const onDropped = (target: string) => (count: number) => logger.error({ dropped: count }, `audit ${target} queue full: dropped the oldest records`);
  if (config.syslog) {
    const s = config.syslog;
    const pem = async (file: string | undefined) => (file === undefined ? undefined : await readFile(file));
    const [ca, cert, key] = await Promise.all([pem(s.ca_file), pem(s.cert_file), pem(s.key_file)]);
    const forwarder = new SyslogForwarder({
      host: s.host,
      port: s.port,
      ...(s.tls ? { tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
      ...(s.app_name ? { appName: s.app_name } : {}),
      ...(s.enterprise_id ? { enterpriseId: s.enterprise_id } : {}),
      ...(s.max_queue ? { maxQueue: s.max_queue } : {}),
      onError: onError('syslog'),
      onDropped: onDropped('syslog'),
    });
    const detach = forwarder.attach(log);
    closers.push(async () => {
      detach();
      await forwarder.close();
    });
  }
  if (config.otlp) {
    const o = config.otlp;
    const headers: Record<string, string> = {};
    for (const [header, env] of Object.entries(o.headers_env)) {
      const value = process.env[env];
      if (value === undefined) throw new Error(`siem.otlp.headers_env.${header}: environment variable ${env} is not set`);
      headers[header] = value;
    }
    const exporter = new OtlpLogExporter({
      endpoint: o.endpoint,
      headers,
      ...(o.service_name ? { serviceName: o.service_name } : {}),
      ...(o.max_queue ? { maxQueue: o.max_queue } : {}),
      onError: onError('otlp'),
      onDropped: onDropped('otlp'),
    });
    const detach = exporter.attach(log);
    closers.push(async () => {
      detach();
      await exporter.close();
    });
  }
  return { close: async () => void (await Promise.all(closers.map((close) => close()))) };
}
