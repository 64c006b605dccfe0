/**
 * `gatehouse serve --metrics-port`: Prometheus metrics on a listener of
 * their own, never on the issuer's public port (issue 11, item 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCli } from '../cli/run.ts';
import { OPS_YAML } from './fixture.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-serve-metrics-'));
  await writeFile(join(dir, 'gatehouse.yaml'), OPS_YAML);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('gatehouse serve --metrics-port', () => {
  it('serves /metrics on the metrics port only; /healthz and /readyz on both', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${port}`;
    const server = await startCli(['serve', '--config', join(dir, 'gatehouse.yaml'), '--port', String(port), '--issuer', issuer, '--metrics-port', String(metricsPort)], 'Gatehouse listening', {
      env: { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'gatehouse.sqlite')}` },
    });
    try {
      expect(server.stdout()).toContain(`metrics on http://127.0.0.1:${metricsPort}/metrics`);
      expect((await fetch(`${issuer}/metrics`)).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('gatehouse_http_requests_total');
      for (const base of [issuer, `http://127.0.0.1:${metricsPort}`]) {
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
      }
    } finally {
      expect(await server.stop(), server.stderr()).toBe(0);
    }
  }, 60_000);
});
