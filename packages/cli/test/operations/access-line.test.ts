import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger } from '../../src/server/logger.ts';
import { accessLineWriter, type AccessLine } from '../../src/operations/access-line.ts';

function capture(): { text: () => string; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (chunks.push(String(chunk)), done()) });
  return { destination, text: () => chunks.join('') };
}

/** A line's bytes with its time set aside: the two writers run a millisecond apart at most. */
const withoutTime = (text: string) => text.replace(/"time":\d+,/g, '"time":0,');

const LINES: AccessLine[] = [
  { reqId: '3f0c2a9e-6c1d-4c57-9d7e-0a1b2c3d4e5f', method: 'POST', route: '/introspect', status: 200, ms: 0.4, clientId: 'internal-company-mcp' },
  { reqId: 'proxy-id:42', method: 'GET', route: '/.well-known/oauth-authorization-server', status: 304, ms: 12 },
  // A client id is whatever the Basic user name said: quotes, backslashes, control characters and non-ASCII stay valid JSON.
  { reqId: 'r1', method: 'POST', route: '/token', status: 401, ms: 1.3, clientId: 'a"b\\c\n\u0001é🙂' },
];

describe('access log line (operations/access-line.ts)', () => {
  it('writes the bytes pino writes for the same info line, in the same order', () => {
    const ours = capture();
    const theirs = capture();
    const write = accessLineWriter(createLogger({ destination: ours.destination }).child({}, { redact: [] }));
    const reference = createLogger({ destination: theirs.destination }).child({}, { redact: [] });
    for (const line of LINES) {
      expect(write(line)).toBe(true);
      reference.info({ ...line }, 'request');
    }
    expect(withoutTime(ours.text())).toBe(withoutTime(theirs.text()));
    const parsed = ours
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[2]).toMatchObject({ level: 30, service: 'gatehouse', clientId: 'a"b\\c\n\u0001é🙂', msg: 'request' });
  });

  it('writes nothing when the logger is above info, and says the line is handled', () => {
    const out = capture();
    const write = accessLineWriter(createLogger({ destination: out.destination, level: 'warn' }));
    expect(write(LINES[0]!)).toBe(true);
    expect(out.text()).toBe('');
  });

  it('leaves a logger of another shape to pino (a custom message key, a mixin, level labels)', () => {
    const shapes = [
      pino({ messageKey: 'message' }, capture().destination),
      pino({ mixin: () => ({ extra: 1 }) }, capture().destination),
      pino({ formatters: { level: (label) => ({ level: label }) } }, capture().destination),
      pino({ timestamp: pino.stdTimeFunctions.isoTime }, capture().destination),
    ];
    for (const logger of shapes) expect(accessLineWriter(logger)(LINES[0]!)).toBe(false);
  });
});
