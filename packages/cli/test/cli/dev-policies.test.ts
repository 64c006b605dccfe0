/**
 * `gatehouse dev` serves the demo MCP server with the Cedar policies its
 * resource declares. A resource whose policies do not load is not served at
 * all: serving it without them would allow what they forbid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { randomToken } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { loadConfigFile } from '../../src/config/load.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { startDemoMcpServer } from '../../src/commands/dev-mcp.ts';
import type { GatehouseConfig } from '../../src/config/schema.ts';
import { EXAMPLE_CONFIG, freePort } from './run.ts';

let dir: string;
let configPath: string;
let config: GatehouseConfig;
let store: Store;
let gatehouse: RunningGatehouse;
let resource: string;
const logged: string[] = [];
const logger = createLogger({ level: 'warn', destination: new Writable({ write: (chunk, _encoding, done) => (logged.push(String(chunk)), done()) }) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-dev-policies-'));
  resource = `http://127.0.0.1:${await freePort()}/mcp`;
  configPath = join(dir, 'gatehouse.yaml');
  await writeFile(configPath, (await readFile(EXAMPLE_CONFIG, 'utf8')).replaceAll('http://127.0.0.1:4001/mcp', resource));
  await cp(join(dirname(EXAMPLE_CONFIG), 'policies'), join(dir, 'policies'), { recursive: true });
  config = await loadConfigFile(configPath, { allowLiteralSecrets: true });
  store = await createStore('sqlite::memory:');
  gatehouse = await startGatehouse({ store, config, adminKey: randomToken(), logger });
});

afterAll(async () => {
  await gatehouse?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('gatehouse dev: the demo MCP server and its Cedar policies (issue 15)', () => {
  it('serves the resource with the policy files its config declares', async () => {
    const demo = await startDemoMcpServer(config, configPath, gatehouse.issuer, resource, logger, gatehouse.store);
    try {
      expect(demo?.url).toBe(resource);
      expect(demo?.policyFiles.map((file) => file.slice(dir.length + 1)).sort()).toEqual(['policies/baseline.cedar', 'policies/employees.cedar', 'policies/finance.cedar', 'policies/tickets.cedar']);
    } finally {
      await demo?.close();
    }
  });

  it('does not serve a resource whose policies fail validation, and logs the file, line and reason', async () => {
    await writeFile(join(dir, 'policies', 'tickets.cedar'), '@id("broken")\nforbid (principal, action == Action::"tool:no_such_tool", resource);\n');
    logged.length = 0;
    const demo = await startDemoMcpServer(config, configPath, gatehouse.issuer, resource, logger, gatehouse.store);
    expect(demo).toBeUndefined();
    const line = logged.join('\n');
    expect(line).toContain('demo MCP server not started');
    expect(line).toContain('do not load (check them with: gatehouse policy validate)');
    expect(line).toMatch(/tickets\.cedar:2/);
    // Nothing listens on the resource's port: no client can reach the tools unguarded.
    await expect(fetch(resource, { method: 'POST' })).rejects.toThrow();
  });
});
