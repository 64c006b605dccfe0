/** Reads server-sent events from a streaming fetch body, frame by frame (HTML §9.2.6), comments included. */
export interface SseFrame {
  event: string | undefined;
  data: string | undefined;
  comment: string | undefined;
}

export class SseReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async next(): Promise<SseFrame | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const raw = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parse(raw);
      }
      const { value, done } = await this.reader.read();
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** The next frame that is an event (skips comments such as pings). */
  async nextEvent(): Promise<SseFrame | undefined> {
    for (;;) {
      const frame = await this.next();
      if (!frame || frame.event !== undefined) return frame;
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

function parse(raw: string): SseFrame {
  const frame: SseFrame = { event: undefined, data: undefined, comment: undefined };
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('event: ')) frame.event = line.slice(7);
    else if (line.startsWith('data: ')) frame.data = frame.data === undefined ? line.slice(6) : `${frame.data}\n${line.slice(6)}`;
  }
  return frame;
}
