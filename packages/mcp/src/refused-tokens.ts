/**
 * Refused bearer tokens (401 invalid_token: inactive, expired, revoked,
 * wrong audience, an org this server does not serve) are recorded, but not
 * one record per request: an attacker spraying tokens would otherwise write
 * the audit log as fast as they can send. Refusals are counted per
 * (client id when known, reason) over a short window and reported once per
 * key per window with the count. At most `maxKeys` keys per window; the rest
 * are counted under one overflow key, so a window never yields more than
 * maxKeys + 1 reports. The hot path is a Map lookup and an increment.
 */
export interface RefusedTokens {
  reason: string;
  /** The client id when the token was verified but refused (foreign org); null for tokens nobody vouches for. */
  clientId: string | null;
  count: number;
  /** Epoch milliseconds: the window the count covers. */
  from: number;
  to: number;
}

export const OVERFLOW_REASON = 'other (too many distinct reasons or clients in this window)';

export interface RefusalCounterOptions {
  report: (refusals: RefusedTokens) => void | Promise<void>;
  now: () => number;
  /** Default 10 s. */
  windowMs?: number;
  /** Default 100. */
  maxKeys?: number;
  onError?: (error: unknown) => void;
}

interface Tally {
  reason: string;
  clientId: string | null;
  count: number;
}

export class RefusalCounter {
  // reason → client id ('' when unknown) → tally: two lookups, no key string built per refusal.
  private tallies = new Map<string, Map<string, Tally>>();
  private keys = 0;
  private overflow: Tally | undefined;
  private windowStart = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(private readonly options: RefusalCounterOptions) {
    this.windowMs = options.windowMs ?? 10_000;
    this.maxKeys = options.maxKeys ?? 100;
  }

  note(reason: string, clientId: string | null = null): void {
    let byClient = this.tallies.get(reason);
    let tally = byClient?.get(clientId ?? '');
    if (tally === undefined) {
      if (this.keys === 0 && this.overflow === undefined) {
        this.windowStart = this.options.now();
        this.timer = setTimeout(() => void this.flush(), this.windowMs);
        this.timer.unref?.();
      }
      if (this.keys >= this.maxKeys) {
        tally = this.overflow ??= { reason: OVERFLOW_REASON, clientId: null, count: 0 };
      } else {
        if (byClient === undefined) this.tallies.set(reason, (byClient = new Map()));
        byClient.set(clientId ?? '', (tally = { reason, clientId, count: 0 }));
        this.keys++;
      }
    }
    tally.count++;
  }

  /** Reports the current window now (on close, and when the window ends). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const tallies = [...this.tallies.values()].flatMap((byClient) => [...byClient.values()]);
    if (this.overflow) tallies.push(this.overflow);
    this.tallies = new Map();
    this.keys = 0;
    this.overflow = undefined;
    if (tallies.length === 0) return;
    const from = this.windowStart;
    const to = this.options.now();
    for (const { reason, clientId, count } of tallies) {
      try {
        await this.options.report({ reason, clientId, count, from, to });
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
