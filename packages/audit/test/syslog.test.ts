import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { SyslogForwarder } from '../src/syslog.ts';

/** A real RFC 6587 octet-counting receiver: parses `MSG-LEN SP SYSLOG-MSG` frames from the byte stream. */
function startReceiver(): Promise<{ server: Server; port: number; messages: string[]; sockets: Socket[]; waitFor: (n: number) => Promise<void> }> {
  const messages: string[] = [];
  const sockets: Socket[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (!Number.isInteger(length) || length <= 0) throw new Error(`bad frame length: ${buffer.subarray(0, space)}`);
        if (buffer.length < space + 1 + length) break;
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffer = buffer.subarray(space + 1 + length);
      }
      for (const w of waiters.filter((w) => messages.length >= w.n)) w.resolve();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        server,
        port,
        messages,
        sockets,
        waitFor: (n) => new Promise<void>((done) => (messages.length >= n ? done() : waiters.push({ n, resolve: done }))),
      });
    }),
  );
}

// RFC 5424 §6: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) \u{FEFF}(.*)$/su;

describe('SIEM streaming: RFC 5424 syslog over TCP with RFC 6587 octet counting', () => {
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

  it('delivers each committed record as one well-formed frame, newlines and quotes in values included', async () => {
    const receiver = await startReceiver();
    const forwarder = new SyslogForwarder({ host: '127.0.0.1', port: receiver.port, hostname: 'gh-1' });
    forwarder.attach(log);
    try {
      await log.append({
        type: 'tool.call',
        result: 'success',
        orgId: 'org_acme',
        userId: 'usr_1',
        tool: 'tickets.create',
        params: { title: 'line 1\nline 2 "quoted" ]', body: 'é' },
        time: '2026-11-23T12:00:00.123456Z',
      });
      await log.append({ type: 'authz.decision', result: 'denied', orgId: 'org_acme', userId: 'usr_2', tool: 'finance.pay', error: 'insufficient_scope' });
      await log.append({ type: 'login.failed', result: 'failure', userId: 'usr_3' });
      await receiver.waitFor(3);

      const parsed = receiver.messages.map((m) => RFC5424.exec(m));
      expect(parsed.every((m) => m !== null)).toBe(true);
      const [first, denied, failed] = parsed as [RegExpExecArray, RegExpExecArray, RegExpExecArray];
      expect(first.slice(1, 7)).toEqual(['110', '2026-11-23T12:00:00.123456Z', 'gh-1', 'gatehouse', String(process.pid), 'tool.call']);
      expect(first[7]).toContain('chain="org_acme" seq="1"');
      const record = JSON.parse(first[8]!);
      expect(record).toMatchObject({ seq: 1, tool: 'tickets.create', params: { title: 'line 1\nline 2 "quoted" ]', body: 'é' } });
      expect(denied![1]).toBe('109'); // facility 13 (log audit) × 8 + notice
      expect(failed![1]).toBe('108'); // + warning
      expect(failed![7]).toContain('chain="_system"');
    } finally {
      await forwarder.close();
      receiver.server.close();
    }
  });

  it('escapes ", \\ and ] inside structured-data values (RFC 5424 §6.3.3)', async () => {
    const receiver = await startReceiver();
    const forwarder = new SyslogForwarder({ host: '127.0.0.1', port: receiver.port });
    forwarder.attach(log);
    try {
      await log.append({ type: 'tool.call', result: 'success', orgId: 'org_acme', userId: 'usr_"x\\y]', tool: 't' });
      await receiver.waitFor(1);
      expect(receiver.messages[0]).toContain('user="usr_\\"x\\\\y\\]"');
    } finally {
      await forwarder.close();
      receiver.server.close();
    }
  });

  it('buffers while the receiver is away and delivers after it comes back', async () => {
    const receiver = await startReceiver();
    const port = receiver.port;
    const forwarder = new SyslogForwarder({ host: '127.0.0.1', port, reconnectMs: 20, onError: () => {} });
    forwarder.attach(log);
    try {
      await log.append({ type: 'a', result: 'success' });
      await receiver.waitFor(1);
      await new Promise<void>((resolve) => {
        receiver.server.close(() => resolve());
        for (const socket of receiver.sockets) socket.destroy();
      });
      while (forwarder.isConnected) await new Promise((resolve) => setTimeout(resolve, 5));
      await log.append({ type: 'b', result: 'success' });
      await log.append({ type: 'c', result: 'success' });
      const again = await new Promise<Awaited<ReturnType<typeof startReceiver>>>((resolve) => {
        const retry = () => startReceiverOn(port).then(resolve, () => setTimeout(retry, 20));
        retry();
      });
      await again.waitFor(2);
      expect(again.messages.map((m) => RFC5424.exec(m)?.[6])).toEqual(['b', 'c']);
      again.server.close();
    } finally {
      await forwarder.close();
    }
  });
});

async function startReceiverOn(port: number) {
  const r = await startReceiver(); // listens on a random port; re-listen on the old one
  await new Promise<void>((resolve) => r.server.close(() => resolve()));
  await new Promise<void>((resolve, reject) => {
    r.server.once('error', reject);
    r.server.listen(port, '127.0.0.1', () => resolve());
  });
  return r;
}
