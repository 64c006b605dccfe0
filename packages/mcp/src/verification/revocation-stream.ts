/**
 * Subscribes to the authorization server's revocation events
 * (`GET {issuer}/revocations/stream`, HTTP Basic with the introspection
 * credentials) so a revoked token leaves the cache at once instead of at TTL.
 *
 * Events can be missed while disconnected, so every disconnect AND every
 * (re)connect (`event: ready`) tells the owner to forget everything cached.
 * Reconnects back off exponentially; a silent stream (no ping for
 * `idleTimeoutMs`, the AS pings every 15 s) counts as a disconnect.
 */
import { SseParser } from './sse-parser.ts';
import type { RevocationEvent } from './types.ts';

export interface RevocationStreamOptions {
  url: string;
  authorization: string;
  onEvent: (event: RevocationEvent) => void;
  /** Connection state changed; on both edges the cache must be cleared. */
  onConnectionChange: (connected: boolean) => void;
  onError?: (error: unknown) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
}

export class RevocationStream {
  private controller: AbortController | undefined;
  private closed = false;
  private connectedFlag = false;
  private backoffMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RevocationStreamOptions) {
    this.backoffMs = options.initialBackoffMs ?? 250;
  }

  get connected(): boolean {
    return this.connectedFlag;
  }

  start(): void {
    void this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    this.controller?.abort();
  }

  private async run(): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    this.controller = controller;
    try {
      const response = await (this.options.fetch ?? fetch)(this.options.url, {
        headers: { authorization: this.options.authorization, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`revocation stream answered ${response.status}`);
      this.armIdleTimer(controller);
      const parser = new SseParser((event) => this.dispatch(event.event, event.data));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.armIdleTimer(controller);
        parser.push(value);
      }
    } catch (error) {
      if (!this.closed) this.options.onError?.(error);
    } finally {
      clearTimeout(this.idleTimer);
      this.setConnected(false);
      this.scheduleReconnect();
    }
  }

  private dispatch(name: string, data: string): void {
    if (name === 'ready') {
      this.backoffMs = this.options.initialBackoffMs ?? 250;
      this.setConnected(true);
      return;
    }
    if (name !== 'revocation') return;
    try {
      const event = JSON.parse(data) as RevocationEvent;
      if (event && typeof event.type === 'string') this.options.onEvent(event);
    } catch (error) {
      // An event we cannot read may have revoked something: treat as a gap.
      this.options.onError?.(error);
      this.options.onConnectionChange(this.connectedFlag);
    }
  }

  private setConnected(connected: boolean): void {
    const changed = connected !== this.connectedFlag;
    this.connectedFlag = connected;
    if (changed || connected) this.options.onConnectionChange(connected);
  }

  private armIdleTimer(controller: AbortController): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => controller.abort(), this.options.idleTimeoutMs ?? 45_000);
    this.idleTimer.unref?.();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.backoffMs * (0.5 + Math.random() / 2);
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 10_000);
    this.retryTimer = setTimeout(() => void this.run(), delay);
    this.retryTimer.unref?.();
  }
}
