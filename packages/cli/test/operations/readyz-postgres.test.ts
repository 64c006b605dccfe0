/**
 * Issue 11, item 4: /readyz fails while the database is unreachable and
 * recovers when it is back, so a load balancer stops sending traffic to an
 * instance that cannot issue tokens. PostgreSQL is reached through a TCP
 * relay the test can cut, as a network partition would.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { requirePostgres, TEST_POSTGRES_URL } from '@gatehouse-auth/store/testing';
import { startGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { opsConfig } from './fixture.ts';

const available = await requirePostgres('readyz on PostgreSQL');
const schema = `gh_ops_${randomBytes(5).toString('hex')}`;
const target = new URL(TEST_POSTGRES_URL);

/** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored on the same port. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

afterAll(async () => {
  if (!available) return;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe.skipIf(!available)('/readyz and the database (issue 11, item 4)', () => {
  it('answers 503 with database failing while PostgreSQL is unreachable, 200 again once it is back; /healthz stays 200', async () => {
    const relay = new Relay();
    await relay.open();
    const url = new URL(TEST_POSTGRES_URL);
    url.host = `127.0.0.1:${relay.port}`;
    url.searchParams.set('schema', schema);
    const gatehouse = await startGatehouse({ databaseUrl: url.href, config: opsConfig(), logger: createLogger({ level: 'silent' }) });
    try {
      expect((await fetch(`${gatehouse.url}/readyz`)).status).toBe(200);

      await relay.cut();
      const down = await fetch(`${gatehouse.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'not_ready', checks: { database: 'failing', signing_keys: 'ok', audit: 'ok' } });
      expect((await fetch(`${gatehouse.url}/healthz`)).status).toBe(200);

      await relay.open();
      const up = await fetch(`${gatehouse.url}/readyz`);
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ status: 'ready' });
    } finally {
      await gatehouse.close();
      await relay.cut().catch(() => {});
    }
  }, 30_000);
});
