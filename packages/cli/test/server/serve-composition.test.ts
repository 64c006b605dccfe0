/**
 * Issue 12: the benchmark measures the server `gatehouse serve` runs. Both
 * get it from `serveGatehouse` with the flags a user types; the bench's
 * flags are exactly what the `serve` command parses from its command line;
 * and what starts has what the shipped server has (the audit log on the
 * event bus, a SQLite file store).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '@gatehouse-auth/audit';
import * as serving from '../../src/server/serve-gatehouse.ts';
import { buildProgram } from '../../src/cli/program.ts';
import { benchServeFlags, compose, startServedGatehouse, writeBenchConfig } from '../../../../bench/lib/as-gatehouse-config.ts';
import { AGENT, RESOURCE, SCOPE } from '../../../../bench/lib/as-shared.ts';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-composition-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the benchmark’s Gatehouse is the one `gatehouse serve` starts', () => {
  it('both come from serveGatehouse', () => {
    expect(compose).toBe(serving.serveGatehouse);
  });

  it('the bench’s flags are what `gatehouse serve` parses from the equivalent command line', async () => {
    const dir = scratch();
    const config = writeBenchConfig(dir);
    const url = `sqlite:${join(dir, 'g.db')}`;
    const seen: unknown[] = [];
    // The command's action hands its parsed flags to serveGatehouse; stop there instead of listening.
    vi.spyOn(serving, 'serveGatehouse').mockImplementation(async (flags) => {
      seen.push({ ...flags });
      throw new Error('stop');
    });
    await expect(buildProgram().exitOverride().parseAsync(['serve', '--config', config, '--host', '127.0.0.1', '--port', '0', '--database-url', url], { from: 'user' })).rejects.toThrow('stop');
    expect(seen).toEqual([benchServeFlags(config, url)]);
  });

  it('starts with the audit log recording token issuance on a SQLite file, as serve does', async () => {
    const dir = scratch();
    const gatehouse = await startServedGatehouse(writeBenchConfig(dir), `sqlite:${join(dir, 'g.db')}`);
    try {
      expect(gatehouse.audit).toBeDefined();
      const response = await fetch(`${gatehouse.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${AGENT.id}:${AGENT.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }).toString(),
      });
      expect(response.status).toBe(200);
      const chains = await gatehouse.store.audit.chains();
      const issued = [];
      for (const chain of chains) {
        expect((await verifyChain(gatehouse.store.audit, chain)).ok).toBe(true);
        issued.push(...(await gatehouse.store.audit.scan(chain, 0, 1000)).filter((row) => row.type === 'token.issued'));
      }
      expect(issued).toHaveLength(1);
    } finally {
      await gatehouse.close();
    }
  });
});
