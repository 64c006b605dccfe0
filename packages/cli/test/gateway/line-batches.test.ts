/**
 * The gateway's decision lines go out in batches (line-batches.ts): held
 * until enough are waiting or the timer fires, in the order logged, and
 * everything waiting is written on a synchronous flush (shutdown, exit).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LineBatches, type LineSink } from '../../src/gateway/line-batches.ts';

function sink() {
  const writes: string[] = [];
  const out: LineSink & { writes: string[]; synced: number } = {
    writes,
    synced: 0,
    write: (text) => writes.push(text),
    flush: (done) => done?.(),
    flushSync() {
      out.synced++;
    },
  };
  return out;
}

const open: LineBatches[] = [];
afterEach(() => {
  for (const batches of open.splice(0)) batches.close();
});

describe('decision lines in batches', () => {
  it('are held until the batch is long enough, then written in one piece in the order logged', () => {
    const out = sink();
    const batches = new LineBatches(out, 10, 60_000);
    open.push(batches);
    batches.write('one\n');
    batches.write('two\n');
    expect(out.writes).toEqual([]);
    batches.write('three\n');
    expect(out.writes).toEqual(['one\ntwo\nthree\n']);
    batches.write('four\n');
    expect(out.writes).toEqual(['one\ntwo\nthree\n']);
  });

  it('are written when the timer fires, however few', async () => {
    const out = sink();
    const batches = new LineBatches(out, 4096, 20);
    open.push(batches);
    batches.write('alone\n');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(out.writes).toEqual(['alone\n']);
  });

  it('are all written by a synchronous flush, and pino’s flush callback is called', async () => {
    const out = sink();
    const batches = new LineBatches(out, 4096, 60_000);
    open.push(batches);
    batches.write('a\n');
    batches.flushSync();
    expect(out.writes).toEqual(['a\n']);
    expect(out.synced).toBe(1);
    batches.write('b\n');
    await new Promise<void>((resolve) => batches.flush(() => resolve()));
    expect(out.writes).toEqual(['a\n', 'b\n']);
  });
});
