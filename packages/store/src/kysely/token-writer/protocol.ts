/** Messages between the store (main thread) and its token writer thread; everything is structured-cloneable. */
import type { Settled, TokenWrite } from '../token-writes.ts';

export interface WriterData {
  filename: string;
}

export type ToWriter = { type: 'batch'; id: number; writes: TokenWrite[] } | { type: 'stop' };

export type FromWriter = { type: 'ready' } | { type: 'settled'; id: number; settled: Settled[] } | { type: 'failed'; message: string };

/** What crosses the thread boundary of an error: enough to rebuild one the store's callers can tell apart. */
export interface ErrorShape {
  name: string;
  message: string;
  code?: string;
}

export function toErrorShape(error: unknown): ErrorShape {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}
