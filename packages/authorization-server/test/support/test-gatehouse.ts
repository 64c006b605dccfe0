/**
 * A real, listening Gatehouse for end-to-end tests, started the way
 * `gatehouse dev` starts it (`startGatehouse` from the CLI): in-memory
 * SQLite, the test access model applied as config, 127.0.0.1 at a random
 * port, over http or (with `https`) https. Clients under test reach it
 * only over the network.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configSchema, createLogger, startGatehouse, type ConfigInput, type RunningGatehouse } from '@gatehouse-auth/cli';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import type { AuthorizationServerOptions } from '../../src/index.ts';
import { reserveFreePort } from './listen.ts';
import { selfSignedLoopbackCertificate } from './tls.ts';
import { ALICE, BOB, ORG, SECOND_ORG, TEST_SCOPES, testConfig, type TestPerson } from './seed.ts';

export interface TestGatehouseOptions {
  /** Storage engine. PostgreSQL gets its own schema, dropped on close. Default: in-memory SQLite. */
  engine?: 'sqlite-memory' | 'postgres';
  /** Path part of the issuer, e.g. `/tenant-a` (RFC 8414 §3.1 path insertion). Default none. */
  issuerPath?: string;
  /** Canonical URI of the MCP server the seeded resource describes. */
  resourceUri?: string;
  /** Serve https with a throwaway self-signed certificate for 127.0.0.1 (see `certificate`). */
  https?: boolean;
  /** Overrides of the authorization server options; nested objects may be partial. */
  /** Changes the test access model before it is applied (e.g. an org's identity providers). */
  config?: (config: ConfigInput) => ConfigInput;
  server?: { [K in keyof AuthorizationServerOptions]?: AuthorizationServerOptions[K] extends object ? Partial<AuthorizationServerOptions[K]> : AuthorizationServerOptions[K] };
}

export interface SeededPerson extends TestPerson {
  id: string;
}

export interface TestGatehouse {
  /** The issuer identifier, without trailing slash. */
  issuer: string;
  /** Scheme, host and port of the listener. */
  origin: string;
  running: RunningGatehouse;
  /** PEM certificate the server presents when started with `https`. */
  certificate?: string;
  store: RunningGatehouse['store'];
  model: { orgId: string; secondOrgId: string; resourceUri: string; scopes: string[]; alice: SeededPerson; bob: SeededPerson };
  /** Log lines the server wrote (redacted by the logger), for diagnosing a failure. */
  logs: string[];
  close(): Promise<void>;
}

export const DEFAULT_TEST_RESOURCE = 'https://mcp.acme.test/mcp';

export async function startTestGatehouse(input: TestGatehouseOptions = {}): Promise<TestGatehouse> {
  const resourceUri = input.resourceUri ?? DEFAULT_TEST_RESOURCE;
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8').trimEnd());
      done();
    },
  });
  // An issuer with a path must name its port before the server starts.
  const port = input.issuerPath ? await reserveFreePort() : 0;
  const tls = input.https ? await writeCertificate() : undefined;
  const testStore: TestStore | undefined = input.engine === 'postgres' ? await createTestStore('postgres') : undefined;
  const running = await startGatehouse({
    ...(testStore ? { store: testStore.store } : { databaseUrl: 'sqlite::memory:' }),
    config: configSchema.parse((input.config ?? ((c) => c))(testConfig(resourceUri))),
    port,
    ...(input.issuerPath ? { issuer: `${tls ? 'https' : 'http'}://127.0.0.1:${port}${input.issuerPath}` } : {}),
    ...(tls ? { tls: { certFile: tls.certFile, keyFile: tls.keyFile } } : {}),
    options: (input.server ?? {}) as Partial<Omit<AuthorizationServerOptions, 'issuer'>>,
    logger: createLogger({ level: 'info', destination }),
  })
    .catch(async (error: unknown) => {
      await testStore?.cleanup();
      throw error;
    })
    .finally(() => tls?.remove());
  const person = async (p: TestPerson): Promise<SeededPerson> => {
    const user = await running.store.users.getByEmail(p.email);
    if (!user) throw new Error(`config did not create ${p.email}`);
    return { ...p, id: user.id };
  };
  const org = await running.store.orgs.getBySlug(ORG.slug);
  const secondOrg = await running.store.orgs.getBySlug(SECOND_ORG.slug);
  if (!org || !secondOrg) throw new Error('config did not create the organizations');
  return {
    issuer: running.issuer,
    origin: running.url,
    running,
    ...(tls ? { certificate: tls.cert } : {}),
    store: running.store,
    model: { orgId: org.id, secondOrgId: secondOrg.id, resourceUri, scopes: TEST_SCOPES, alice: await person(ALICE), bob: await person(BOB) },
    logs,
    async close() {
      await running.close();
      await testStore?.cleanup();
    },
  };
}

/** startGatehouse reads PEM files; they only need to exist until it has started. */
async function writeCertificate(): Promise<{ cert: string; certFile: string; keyFile: string; remove: () => Promise<void> }> {
  const { cert, key } = selfSignedLoopbackCertificate();
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await writeFile(certFile, cert);
  await writeFile(keyFile, key, { mode: 0o600 });
  return { cert, certFile, keyFile, remove: () => rm(dir, { recursive: true, force: true }) };
}
