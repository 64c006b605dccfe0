/**
 * Rewrites the JSON-RPC messages of a text/event-stream as they pass,
 * without holding the stream back: each event is forwarded as soon as its
 * blank line arrives, unchanged unless `rewrite` returns new data for it.
 * Event ids, event names, `retry:` and comments are kept, so resumption
 * (Last-Event-ID) and keep-alives work through whoever rewrites.
 *
 * Used where a response that may be a stream must be inspected: recording a
 * tool call's outcome when its result arrives (outcome-record.ts) and a
 * gateway filtering list results per caller.
 */
export interface SseRewriter {
  /** New `data` for an event whose data is the JSON `message`, or undefined to forward it unchanged. */
  message(message: unknown): Promise<string | undefined> | string | undefined;
  /** The stream ended (upstream done, or cancelled by the client). */
  end?(): Promise<void> | void;
}

const EVENT_END = /\r\n\r\n|\n\n|\r\r/;

export function rewriteSseMessages(body: ReadableStream<Uint8Array>, rewriter: SseRewriter): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const reader = body.getReader();
  let buffer = '';
  let ended = false;
  const finish = async () => {
    if (ended) return;
    ended = true;
    await rewriter.end?.();
  };
  const rewriteEvent = async (block: string): Promise<string> => {
    const lines = block.split(/\r\n|\r|\n/);
    const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
    if (data.length === 0) return block;
    let message: unknown;
    try {
      message = JSON.parse(data.join('\n'));
    } catch {
      return block;
    }
    const replaced = await rewriter.message(message);
    if (replaced === undefined) return block;
    const kept = lines.filter((line) => !line.startsWith('data:'));
    return [...kept, `data: ${replaced}`].join('\n');
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const match = EVENT_END.exec(buffer);
        if (match) {
          const block = buffer.slice(0, match.index);
          buffer = buffer.slice(match.index + match[0].length);
          controller.enqueue(encoder.encode(`${await rewriteEvent(block)}${match[0]}`));
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          buffer += decoder.decode();
          if (buffer.length > 0) controller.enqueue(encoder.encode(buffer));
          buffer = '';
          await finish();
          controller.close();
          return;
        }
        buffer += decoder.decode(value, { stream: true });
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await finish();
    },
  });
}

export const isEventStream = (response: Response): boolean => (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
