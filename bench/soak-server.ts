/**
 * Soak child: Gatehouse composed as `gatehouse serve` composes it
 * (startGatehouse, examples/internal-company/gatehouse.yaml applied, a
 * SQLite file in a temp dir, or with SOAK_STORE=postgres a schema of its
 * own on postgres://postgres@127.0.0.1:5432/test), and the example's demo
 * MCP server protected by the SDK with introspection, both in this process.
 * Announces where they listen; answers `memory` (and `memory:gc`, after a
 * forced collection: needs --expose-gc) over IPC with process.memoryUsage().
 */
import { acmeId, pointedAt, resourceServerCredentials } from '../examples/internal-company/test/support/company-config.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apply, loadConfigFile, startGatehouse } from '@gatehouse-auth/cli';
import { createTestStore } from '@gatehouse-auth/store/testing';
import { startInternalCompanyServer } from '@gatehouse-auth/example-internal-company';
import { announceReady } from './lib/child.ts';

export interface SoakServerInfo {
  issuer: string;
  mcpUrl: string;
  resource: string;
  store: string;
  people: Array<{ email: string; password: string; role: string }>;
  introspection: { clientId: string; clientSecret: string };
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
}

const engine = process.env.SOAK_STORE === 'postgres' ? 'postgres' : 'sqlite';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'));
const pg = engine === 'postgres' ? await createTestStore('postgres') : undefined;
const config = await loadConfigFile(fileURLToPath(new URL('../examples/internal-company/gatehouse.yaml', import.meta.url)));
const gatehouse = await startGatehouse({
  ...(pg ? { store: pg.store } : { databaseUrl: `sqlite:${join(dir, 'gatehouse.db')}` }),
  config,
  // Every soak login comes from 127.0.0.1: the per-IP throttle would refuse most of them.
  options: { loginThrottle: { perAccount: 1_000_000, perAccountAllNetworks: 1_000_000, perIp: 1_000_000, windowSeconds: 60 } },
  logLevel: 'warn',
});
const rs = resourceServerCredentials(config);
const company = await startInternalCompanyServer({
  port: 0,
  issuer: gatehouse.issuer,
  introspection: rs,
  organizations: [await acmeId(gatehouse.store)],
  onError: (error) => console.error('demo MCP server:', error),
});
// The demo server listens on a random port: point the catalogue's resource and its resource server at it (as the example's e2e tests do).
await apply(gatehouse.store, pointedAt(config, company.resource), { events: gatehouse.events });

const PASSWORDS: Record<string, { password: string; role: string }> = {
  'maria@acme.test': { password: 'maria-dev-password', role: 'Management' },
  'eli@acme.test': { password: 'eli-dev-password', role: 'Engineering' },
  'sam@acme.test': { password: 'sam-dev-password', role: 'Support' },
};
const info: SoakServerInfo = {
  issuer: gatehouse.issuer,
  mcpUrl: company.url,
  resource: company.resource,
  store: pg ? `postgres (schema ${pg.schema})` : `sqlite:${join(dir, 'gatehouse.db')}`,
  people: Object.entries(PASSWORDS).map(([email, p]) => ({ email, ...p })),
  introspection: rs,
};
announceReady(info);

// Answers carry their question (bench/lib/child.ts's ask protocol).
process.on('message', (question) => {
  if (question === 'memory:gc') (globalThis as { gc?: () => void }).gc?.();
  if (question === 'memory' || question === 'memory:gc') {
    const { rss, heapUsed } = process.memoryUsage();
    process.send!({ question, answer: { rss, heapUsed } satisfies MemorySample });
  }
});

process.on('SIGTERM', () => {
  void (async () => {
    await company.close();
    await gatehouse.close();
    await pg?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  })();
});
