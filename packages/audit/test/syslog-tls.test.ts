/**
 * RFC 5425: syslog over TLS, against a real node:tls receiver with a
 * throwaway certificate (made with openssl). Frames are RFC 5424 messages
 * with octet counting inside the TLS stream; the receiver's certificate is
 * verified; a full queue drops the oldest and says how many it dropped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { SyslogForwarder } from '../src/syslog.ts';

let cert: { key: string; cert: string };
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-syslog-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    cert = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A real RFC 5425 receiver: TLS, then `MSG-LEN SP SYSLOG-MSG` frames. */
function startTlsReceiver(port = 0): Promise<{ server: Server; port: number; messages: string[]; waitFor: (n: number) => Promise<void> }> {
  const messages: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer({ key: cert.key, cert: cert.cert }, (socket: TLSSocket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (!Number.isInteger(length) || length <= 0) throw new Error('bad frame length');
        if (buffer.length < space + 1 + length) break;
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffer = buffer.subarray(space + 1 + length);
      }
      for (const w of waiters.filter((w) => messages.length >= w.n)) w.resolve();
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        server,
        port: (server.address() as { port: number }).port,
        messages,
        waitFor: (n) => new Promise<void>((done) => (messages.length >= n ? done() : waiters.push({ n, resolve: done }))),
      }),
    );
  });
}

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) \u{FEFF}(.*)$/su;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RFC 5425: syslog over TLS', () => {
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

  it('delivers each record as one octet-counted RFC 5424 frame inside TLS, the receiver verified against the CA', async () => {
    const receiver = await startTlsReceiver();
    const forwarder = new SyslogForwarder({ host: '127.0.0.1', port: receiver.port, hostname: 'gh-1', tls: { ca: cert.cert } });
    forwarder.attach(log);
    try {
      await log.append({ type: 'authz.decision', result: 'failure', orgId: 'org_acme', tool: 'tickets.read', error: 'the tool returned an error result', params: { note: 'two\nlines' } });
      await log.append({ type: 'token.refused', result: 'denied', error: 'inactive', details: { count: 1000 } });
      await receiver.waitFor(2);
      const [first, second] = receiver.messages.map((m) => RFC5424.exec(m)) as [RegExpExecArray, RegExpExecArray];
      expect(first.slice(1, 7)).toEqual(['108', expect.any(String), 'gh-1', 'gatehouse', String(process.pid), 'authz.decision']);
      expect(first[7]).toContain('chain="org_acme" seq="1"');
      expect(JSON.parse(first[8]!)).toMatchObject({ result: 'failure', tool: 'tickets.read', params: { note: 'two\nlines' } });
      expect(second[6]).toBe('token.refused');
      expect(JSON.parse(second[8]!)).toMatchObject({ details: { count: 1000 } });
    } finally {
      await forwarder.close();
      receiver.server.close();
    }
  });

  it('sends nothing to a receiver whose certificate it cannot verify', async () => {
    const receiver = await startTlsReceiver();
    const errors: unknown[] = [];
    const forwarder = new SyslogForwarder({ host: '127.0.0.1', port: receiver.port, tls: {}, reconnectMs: 20, onError: (e) => errors.push(e) });
    forwarder.attach(log);
    try {
      await log.append({ type: 'secret.thing', result: 'success', orgId: 'org_acme' });
      while (errors.length === 0) await sleep(10);
      await sleep(50);
      expect(receiver.messages).toEqual([]);
      expect(forwarder.isConnected).toBe(false);
      expect(String(errors[0])).toMatch(/self[- ]signed|certificate/i);
    } finally {
      await forwarder.close();
      receiver.server.close();
    }
  });

  it('when the queue overflows while the receiver is away, drops the oldest and then says how many it dropped', async () => {
    // A port nobody listens on yet.
    const probe = createNetServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const dropped: number[] = [];
    const forwarder = new SyslogForwarder({ host: '127.0.0.1', port, tls: { ca: cert.cert }, maxQueue: 2, reconnectMs: 20, onError: () => {}, onDropped: (n) => dropped.push(n) });
    forwarder.attach(log);
    try {
      for (const type of ['r1', 'r2', 'r3', 'r4', 'r5']) await log.append({ type, result: 'success' });
      expect(dropped.reduce((a, b) => a + b, 0)).toBe(3);
      const receiver = await startTlsReceiver(port);
      await receiver.waitFor(3);
      const parsed = receiver.messages.map((m) => RFC5424.exec(m)!);
      expect(parsed.map((m) => m[6])).toEqual(['siem.dropped', 'r4', 'r5']);
      expect(parsed[0]![7]).toContain('dropped="3"');
      receiver.server.close();
    } finally {
      await forwarder.close();
    }
  });
});
