import { describe, expect, it } from 'vitest';
import { rewriteSseMessages, type SseRewriter } from '../src/sse-messages.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

const text = (chunks: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(chunks));
const unchanged: SseRewriter = { message: () => undefined };

describe('rewriting the JSON-RPC messages of an event stream as they pass', () => {
  it('forwards a chunk of whole events nobody rewrote as the very bytes that came in', async () => {
    const chunk = bytes('event: message\nid: 7\ndata: {"jsonrpc":"2.0","id":2,"result":{}}\n\n');
    const [out, ...more] = await readAll(rewriteSseMessages(streamOf([chunk]), unchanged));
    expect(more).toEqual([]);
    expect(out).toBe(chunk);
  });

  it('forwards every event a chunk completes in one piece, and keeps an unfinished one until its blank line', async () => {
    const chunks = [bytes('id: 1\ndata: {"a":1}\n\nid: 2\ndata: {"b":2}\n\nid: 3\ndata: {"c"'), bytes(':3}\n\n')];
    const out = await readAll(rewriteSseMessages(streamOf(chunks), unchanged));
    expect(out.map((chunk) => new TextDecoder().decode(chunk))).toEqual(['id: 1\ndata: {"a":1}\n\nid: 2\ndata: {"b":2}\n\n', 'id: 3\ndata: {"c":3}\n\n']);
  });

  it('rewrites only the data of the events it is asked to, keeping ids, names, comments and line ends', async () => {
    const source = ': keep-alive\r\n\r\nevent: message\r\nid: 9\r\ndata: {"id":1,"result":{"n":1}}\r\n\r\nid: 10\ndata: {"id":2}\n\n';
    const rewriter: SseRewriter = { message: (message) => ((message as { id?: unknown }).id === 1 ? '{"id":1,"result":{"n":2}}' : undefined) };
    expect(text(await readAll(rewriteSseMessages(streamOf([bytes(source)]), rewriter)))).toBe(
      ': keep-alive\r\n\r\nevent: message\nid: 9\ndata: {"id":1,"result":{"n":2}}\r\n\r\nid: 10\ndata: {"id":2}\n\n',
    );
  });

  it('hands the rewriter the data as received beside the parsed message, multi-line data joined', async () => {
    const seen: [unknown, string][] = [];
    await readAll(rewriteSseMessages(streamOf([bytes('data: {"a":\ndata:  1}\n\n')]), { message: (message, data) => void seen.push([message, data]) }));
    expect(seen).toEqual([[{ a: 1 }, '{"a":\n 1}']]);
  });

  it('reassembles a character split across chunks, and passes a text with no event end on at the end', async () => {
    const whole = bytes('data: {"t":"é€"}\n\ndata: tail');
    const cut = whole.indexOf(0xe2) + 1; // inside the three bytes of €
    const out = await readAll(rewriteSseMessages(streamOf([whole.slice(0, cut), whole.slice(cut)]), unchanged));
    expect(text(out)).toBe('data: {"t":"é€"}\n\ndata: tail');
  });

  it('drops a leading byte order mark as a UTF-8 decoder does, even when nothing is rewritten', async () => {
    const out = await readAll(rewriteSseMessages(streamOf([Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes('data: {}\n\n')])]), unchanged));
    expect(text(out)).toBe('data: {}\n\n');
  });

  it('calls end once, when the upstream ends or the reader cancels', async () => {
    let ends = 0;
    await readAll(rewriteSseMessages(streamOf([bytes('data: {}\n\n')]), { message: () => undefined, end: () => void ends++ }));
    const cancelled = rewriteSseMessages(streamOf([bytes('data: {}\n\n')]), { message: () => undefined, end: () => void ends++ });
    await cancelled.cancel();
    expect(ends).toBe(2);
  });
});
