import { describe, expect, it } from 'vitest';
import { SseParser, type ServerSentEvent } from '../src/verification/sse-parser.ts';

describe('text/event-stream parsing (WHATWG HTML §9.2.6) for the revocation stream', () => {
  const parse = (chunks: string[]): ServerSentEvent[] => {
    const events: ServerSentEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    for (const chunk of chunks) parser.push(chunk);
    return events;
  };

  it('reads named events and ignores comments (the AS pings with ": ping")', () => {
    expect(parse(['event: ready\ndata: {"at":1}\n\n: ping\n\nevent: revocation\ndata: {"type":"x"}\n\n'])).toEqual([
      { event: 'ready', data: '{"at":1}' },
      { event: 'revocation', data: '{"type":"x"}' },
    ]);
  });

  it('reassembles events split across chunks, including a CRLF split in two', () => {
    expect(parse(['event: revo', 'cation\r', '\ndata: {"a"', ':1}\r\n\r\n'])).toEqual([{ event: 'revocation', data: '{"a":1}' }]);
  });

  it('joins multi-line data and dispatches nothing for an event without data', () => {
    expect(parse(['event: ready\n\ndata: a\ndata: b\n\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});
