/**
 * The gateway bench's open-loop generator (bench/lib/fixed-rate.ts): with
 * several targets, their requests take turns in one schedule, each target
 * offered the rate, and each target's latencies are its own.
 */
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixedRate } from '../../../bench/lib/fixed-rate.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server that answers 200 after `delayMs` and records when each request arrived, under its name. */
async function recordingServer(name: string, delayMs: number, arrivals: { name: string; at: number }[]): Promise<string> {
  const server = createServer((request, response) => {
    arrivals.push({ name, at: performance.now() });
    request.resume();
    request.on('end', () => setTimeout(() => response.end('ok'), delayMs));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}/`;
}

const request = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };

describe('bench fixed-rate generator', () => {
  it('offers each of two targets the rate, their requests taking turns in one schedule', async () => {
    const arrivals: { name: string; at: number }[] = [];
    const [a, b] = [await recordingServer('a', 0, arrivals), await recordingServer('b', 0, arrivals)];
    const [resultA, resultB] = await runFixedRate({
      targets: [
        { url: a, request },
        { url: b, request },
      ],
      rate: 40,
      seconds: 1,
    });
    expect([resultA!.sent, resultA!.ok, resultB!.sent, resultB!.ok]).toEqual([40, 40, 40, 40]);
    // Turns: a, b, a, b, … At every point of the run, each target has had as many requests as the other, give or
    // take the pair a late timer sends at once (its two requests may arrive in either order). Targets run one
    // after the other would be 40 apart halfway.
    let lead = 0;
    let widest = 0;
    for (const arrival of arrivals) {
      lead += arrival.name === 'a' ? 1 : -1;
      widest = Math.max(widest, Math.abs(lead));
    }
    expect(widest).toBeLessThanOrEqual(2);
    expect(arrivals[0]!.name).toBe('a');
  });

  it("times each target's requests on their own: a slow target does not slow the other's figures", async () => {
    const arrivals: { name: string; at: number }[] = [];
    const [fast, slow] = [await recordingServer('fast', 0, arrivals), await recordingServer('slow', 30, arrivals)];
    const [resultFast, resultSlow] = await runFixedRate({
      targets: [
        { url: fast, request },
        { url: slow, request },
      ],
      rate: 20,
      seconds: 1,
    });
    expect(resultSlow!.p50).toBeGreaterThanOrEqual(30);
    expect(resultSlow!.stalls).toBe(20);
    expect(resultFast!.p50).toBeLessThan(30);
    expect(resultFast!.stalls).toBeLessThan(20);
  });

  it('with one target, sends the rate for the seconds asked', async () => {
    const arrivals: { name: string; at: number }[] = [];
    const only = await recordingServer('only', 0, arrivals);
    const [result] = await runFixedRate({ targets: [{ url: only, request }], rate: 50, seconds: 1 });
    expect(result!.sent).toBe(50);
    expect(arrivals).toHaveLength(50);
    // Open loop: the last request left about a second after the first, whatever the answers did.
    expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThan(900);
  });
});
