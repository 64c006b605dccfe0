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
 *
 * Per upstream chunk, not per event: every event the chunk completes goes
 * on in one piece, and a chunk that holds only whole events none of which
 * was rewritten goes on as the very bytes that came in (no re-encoding).
 * This runs on every streamed answer a gateway forwards; one enqueue and
 * one pull per event, and the text re-encoded, were most of its cost.
 */
export interface SseRewriter {
  /**
   * New `data` for an event whose data is the JSON `message`, or undefined to forward it unchanged.
   * `text` is that data as received (the JSON text `message` was parsed from).
   */
  message(message: unknown, text: string): Promise<string | undefined> | string | undefined;
  /** The stream ended (upstream done, or cancelled by the client). */
  end?(): Promise<void> | void;
}

const EVENT_END = /\r\n\r\n|\n\n|\r\r/g;
const LINE_BREAK = /\r\n|\r|\n/;
/** Stateless, so one for every stream. */
const encoder = new TextEncoder();

/** The data of an event (its `data:` lines joined by line breaks), or undefined when it has none. */
export function eventData(block: string): string | undefined {
  let data: string | undefined;
  for (const line of block.split(LINE_BREAK)) {
    if (!line.startsWith('data:')) continue;
    const value = line.slice(line.startsWith('data: ') ? 6 : 5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}

/** The JSON message an event's data holds, or undefined (no data, or not JSON). */
export function eventMessage(data: string | undefined): { message: unknown } | undefined {
  if (data === undefined) return undefined;
  try {
    return { message: JSON.parse(data) };
  } catch {
    return undefined;
  }
}

/** The event with `replaced` as its data, its other lines (id, event name, comments) kept. */
export function withData(block: string, replaced: string): string {
  const kept = block.split(LINE_BREAK).filter((line) => !line.startsWith('data:'));
  return [...kept, `data: ${replaced}`].join('\n');
}

/** The event with its data rewritten, or undefined when it goes on unchanged. */
async function rewriteEvent(block: string, rewriter: SseRewriter): Promise<string | undefined> {
  const data = eventData(block);
  const parsed = eventMessage(data);
  if (parsed === undefined) return undefined;
  const replaced = await rewriter.message(parsed.message, data!);
  return replaced === undefined ? undefined : withData(block, replaced);
}

/**
 * The first complete event of `text` (up to its last blank line) whose data is a JSON message `wanted`
 * accepts: the message, and where the event's lines start and end (before its blank line). A plain scan,
 * for an event stream held whole: no promise or rewritten text per event.
 */
export function findEventMessage(text: string, wanted: (message: unknown) => boolean): { message: unknown; start: number; end: number } | undefined {
  let start = 0;
  // EVENT_END is shared, and nothing here awaits: no other scan runs in between.
  EVENT_END.lastIndex = 0;
  for (let match = EVENT_END.exec(text); match; match = EVENT_END.exec(text)) {
    const end = match.index;
    const parsed = eventMessage(eventData(text.slice(start, end)));
    if (parsed !== undefined && wanted(parsed.message)) return { message: parsed.message, start, end };
    start = end + match[0].length;
    EVENT_END.lastIndex = start;
  }
  return undefined;
}

export function rewriteSseMessages(body: ReadableStream<Uint8Array>, rewriter: SseRewriter): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  // Text received but not forwarded yet: the start of an event whose blank line has not arrived.
  let buffer = '';
  // The decoder holds no part of a character: the last chunk ended on an ASCII byte.
  let clean = true;
  let started = false;
  let ended = false;
  const finish = async () => {
    if (ended) return;
    ended = true;
    await rewriter.end?.();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          buffer += decoder.decode();
          if (buffer.length > 0) controller.enqueue(encoder.encode(buffer));
          buffer = '';
          await finish();
          controller.close();
          return;
        }
        const carried = buffer.length > 0 || !clean;
        // The decoder drops a leading byte order mark: that chunk is re-encoded, as before.
        const bom = !started && value[0] === 0xef;
        started ||= value.byteLength > 0;
        if (value.byteLength > 0) clean = value[value.byteLength - 1]! < 0x80;
        buffer += decoder.decode(value, { stream: true });
        const { out, rewritten, from } = await rewriteCompleteEvents(buffer, rewriter);
        if (from === 0) continue; // no event complete yet
        // Only whole events, all unchanged, none begun in an earlier chunk: these are the bytes that came.
        const whole = from === buffer.length && !carried && !rewritten && !bom && clean;
        buffer = buffer.slice(from);
        controller.enqueue(whole ? value : encoder.encode(out));
        return;
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await finish();
    },
  });
}

/**
 * Every event `text` completes (up to its last blank line), each through the
 * rewriter: the text to send for them, whether any changed, and where the
 * unfinished rest begins.
 */
async function rewriteCompleteEvents(text: string, rewriter: SseRewriter): Promise<{ out: string; rewritten: boolean; from: number }> {
  // Built from the first rewritten event on: until then the events go on as the text itself.
  let out: string | undefined;
  let from = 0;
  EVENT_END.lastIndex = 0;
  for (let match = EVENT_END.exec(text); match; match = EVENT_END.exec(text)) {
    const start = from;
    const block = text.slice(start, match.index);
    from = match.index + match[0].length;
    const replaced = await rewriteEvent(block, rewriter);
    if (replaced !== undefined && out === undefined) out = text.slice(0, start);
    if (out !== undefined) out += `${replaced ?? block}${match[0]}`;
    // EVENT_END is shared by every stream and the rewriter may have awaited: the scan goes on from this event's end.
    EVENT_END.lastIndex = from;
  }
  return { out: out ?? text.slice(0, from), rewritten: out !== undefined, from };
}

/**
 * The same rewriting over a text/event-stream already complete (a gateway
 * holding an upstream's answer that ended at once): the rewritten text, or
 * undefined when every event goes on unchanged (then the bytes that came
 * are sent as they are). Text after the last blank line is kept as is, as
 * the stream forwards it at its end.
 */
export async function rewriteSseText(text: string, rewriter: SseRewriter): Promise<string | undefined> {
  const { out, rewritten, from } = await rewriteCompleteEvents(text, rewriter);
  await rewriter.end?.();
  return rewritten ? out + text.slice(from) : undefined;
}

export const isEventStream = (response: Response): boolean => isEventStreamType(response.headers.get('content-type'));
export const isEventStreamType = (contentType: string | null | undefined): boolean => (contentType ?? '').startsWith('text/event-stream');
