import { afterEach, describe, expect, it, vi } from 'vitest';
import { runUntilSignal } from '../../src/cli/lifecycle.ts';

describe('server commands stop gracefully on a signal sent the moment they announce readiness', () => {
  const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
  afterEach(() => {
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('SIGINT')).toBe(before.int);
  });

  it('installs the SIGTERM and SIGINT handlers before it announces', async () => {
    const seen: { term: number; int: number }[] = [];
    const close = vi.fn(async () => {});
    const stopped = runUntilSignal(() => seen.push({ term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') }), close);
    expect(seen).toEqual([{ term: before.term + 1, int: before.int + 1 }]);
    process.emit('SIGTERM', 'SIGTERM');
    await stopped;
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('a repeated SIGTERM during the drain closes once', async () => {
    let finish!: () => void;
    const close = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const stopped = runUntilSignal(() => {}, close);
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    finish();
    await stopped;
    expect(close).toHaveBeenCalledTimes(1);
  });
});
