/**
 * Log lines held and written in batches: until `minLength` characters are
 * waiting or for at most `flushMs`, then in one write to `out`, and all of
 * them at exit. What pino.destination({ minLength }) does, without its cost
 * per line: sonic-boom appends each line to the string it holds (`+=`) and
 * measures that string's byte length on every write, which copies it flat,
 * so each line cost a copy of everything waiting (about 2.3 KB per gateway
 * call at 4 KiB batches, a twentieth of all the gateway allocated per call).
 * Here a line is kept as it is and the batch joined once.
 *
 * `minLength` counts characters, not bytes: a batch of non-ASCII lines
 * waits for slightly more bytes, never longer than `flushMs`.
 */
export interface LineSink {
  write(text: string): unknown;
  /** Calls `done` once what was written so far is out (sonic-boom's flush). */
  flush(done?: (error?: Error) => void): void;
  flushSync(): void;
}

export class LineBatches {
  private lines: string[] = [];
  private waiting = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly onExit = () => this.flushSync();

  constructor(
    private readonly out: LineSink,
    private readonly minLength: number,
    flushMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), flushMs).unref();
    process.once('exit', this.onExit);
  }

  write(line: string): boolean {
    this.lines.push(line);
    this.waiting += line.length;
    if (this.waiting >= this.minLength) this.flush();
    return true;
  }

  /** Hands what is waiting to `out`, which writes it in the background; `done` (pino's logger.flush) once it is out. */
  flush(done?: (error?: Error) => void): void {
    if (this.lines.length > 0) {
      const text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
      this.lines = [];
      this.waiting = 0;
      this.out.write(text);
    }
    if (done) this.out.flush(done);
  }

  /** Writes everything waiting before returning (shutdown). */
  flushSync(): void {
    this.flush();
    this.out.flushSync();
  }

  /** Stops the timer and the exit hook (what is waiting is written first). */
  close(): void {
    this.flushSync();
    clearInterval(this.timer);
    process.off('exit', this.onExit);
  }
}
