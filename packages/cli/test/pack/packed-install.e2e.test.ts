/**
 * What users install: every package packed with `npm pack`, the tarballs installed into a fresh
 * project in the OS temp directory (third-party dependencies from the registry, nothing linked to
 * this repository), then used there as a user would with plain node and no TypeScript loader:
 * every @gatehouse-auth module resolves inside that project, a TypeScript consumer type-checks
 * against the declaration files, Gatehouse runs from the packed CLI's `bin`, a protected MCP server
 * written in plain .mjs runs on the packed @gatehouse-auth/mcp, and the official MCP SDK client
 * gets through the whole OAuth flow (DCR, PKCE, login, consent, code, token) and calls a tool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { authorizeInBrowser, launchBrowser } from '../../../authorization-server/test/support/browser.ts';
import { RecordingOAuthProvider } from '../../../authorization-server/test/support/mcp-client-provider.ts';
import { freePort } from '../cli/run.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
// sso: the authorization server signs people in through their company's IdP with it (issue 13).
const PACKAGES = ['core', 'store', 'audit', 'sso', 'authorization-server', 'mcp', 'gateway', 'policy', 'scim', 'cli'] as const;
/** Every entry point a user can import (package.json `exports`). */
const ENTRY_POINTS = [
  '@gatehouse-auth/core',
  '@gatehouse-auth/store',
  '@gatehouse-auth/store/testing',
  '@gatehouse-auth/audit',
  '@gatehouse-auth/sso',
  '@gatehouse-auth/authorization-server',
  '@gatehouse-auth/mcp',
  '@gatehouse-auth/scim',
  '@gatehouse-auth/policy',
  '@gatehouse-auth/gateway',
  '@gatehouse-auth/cli',
];
const REDIRECT_URL = 'http://127.0.0.1:8979/callback';
const USER = { email: 'pat@packed.test', password: 'pat-packed-password' };

/**
 * A user's environment: none of this repository's npm settings (npm test runs us under npm), and no
 * NODE_OPTIONS (vitest.config.ts puts the workspace's source condition there).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD') env[key] = value;
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

let work: string;
let project: string;
let packed: Packed[];
let browser: Browser | undefined;
const children: ChildProcess[] = [];

/** Starts a long-running process in the project and resolves with its first stdout line matching `ready`. */
function start(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; line: string; output: () => string }> {
  const child = spawn(process.execPath, args, { cwd: project, env: { ...userEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => ready.test(l));
      if (line !== undefined) resolve({ child, line, output: () => `${out}\n${err}` });
    });
    child.once('exit', (code) => reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${out}\n${err}`)));
  });
}

/** The third-party modules this repository's tests use, at the versions installed here (the npm cache has them). */
async function installedVersion(name: string): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'gatehouse-packed-')));
  const tarballs = join(work, 'tarballs');
  project = join(work, 'project');
  await mkdir(tarballs);
  await mkdir(project);

  // npm pack of each workspace package (dist/ was built by npm test or vitest.global-setup.ts).
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', tarballs, ...PACKAGES.map((p) => `--workspace=packages/${p}`)], {
    cwd: ROOT,
    env: userEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  packed = JSON.parse(stdout) as Packed[];

  await writeFile(
    join(project, 'package.json'),
    JSON.stringify(
      {
        name: 'gatehouse-packed-consumer',
        private: true,
        type: 'module',
        dependencies: {
          ...Object.fromEntries(packed.map((p) => [p.name, `file:${join(tarballs, p.filename)}`])),
          '@modelcontextprotocol/sdk': await installedVersion('@modelcontextprotocol/sdk'),
        },
        devDependencies: { '@types/node': await installedVersion('@types/node') },
      },
      null,
      2,
    ),
  );
  for (const file of ['server.mjs', 'consumer.ts']) await cp(join(FIXTURES, file), join(project, file));

  // better-sqlite3 compiles SQLite from source when no prebuilt binary can be downloaded (minutes on
  // two cores): its scripts are skipped and the binary this repository's `npm ci` built for the same
  // version and Node ABI is copied in. It is a third-party module; ours all come from the tarballs.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], { cwd: project, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
  const sqlite = join(project, 'node_modules', 'better-sqlite3');
  if ((await installedVersion('better-sqlite3')) === (JSON.parse(await readFile(join(sqlite, 'package.json'), 'utf8')) as { version: string }).version) {
    await cp(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), join(sqlite, 'build', 'Release', 'better_sqlite3.node'));
  } else {
    await run('npm', ['rebuild', 'better-sqlite3'], { cwd: project, env: userEnv() });
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed packages, installed into a fresh project', () => {
  it('a tarball ships built JavaScript, declarations, README and LICENSE, and no tests', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(PACKAGES.map((p) => `@gatehouse-auth/${p}`).sort());
    for (const { name, files } of packed) {
      const paths = files.map((f) => f.path);
      expect(paths, name).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
      expect(
        paths.filter((p) => /(^|\/)(test|tests|__tests__|fixtures)\/|\.(test|spec|e2e)\.[cm]?[jt]s$|tsbuildinfo/.test(p)),
        name,
      ).toEqual([]);
    }
    expect(packed.find((p) => p.name === '@gatehouse-auth/cli')!.files.map((f) => f.path)).toContain('dist/bin.js');
  });

  it('every @gatehouse-auth module resolves to the packed copy inside the project, with plain node', async () => {
    // Node resolves a bare name through node_modules folders of the importer's ancestors: the project
    // must not sit inside this repository, and no ancestor but the project may hold @gatehouse-auth.
    expect(relative(ROOT, project).startsWith('..')).toBe(true);
    for (let dir = dirname(project); dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, 'node_modules', '@gatehouse-auth')), dir).toBe(false);
    for (const p of PACKAGES) expect((await lstat(join(project, 'node_modules', '@gatehouse-auth', p))).isSymbolicLink(), p).toBe(false);

    // Imported for real: nothing needs a TypeScript loader, and each module's file is the project's own.
    const script = `const out = {};
for (const name of ${JSON.stringify(ENTRY_POINTS)}) { const url = import.meta.resolve(name); await import(name); out[name] = url; }
console.log(JSON.stringify(out));`;
    await writeFile(join(project, 'resolve.mjs'), script);
    const { stdout } = await run(process.execPath, ['resolve.mjs'], { cwd: project, env: userEnv() });
    const resolved = JSON.parse(stdout) as Record<string, string>;
    expect(Object.keys(resolved).sort()).toEqual([...ENTRY_POINTS].sort());
    for (const [name, url] of Object.entries(resolved)) {
      const file = await realpath(fileURLToPath(url));
      expect(file.startsWith(join(project, 'node_modules', '@gatehouse-auth') + sep), `${name} → ${file}`).toBe(true);
      expect(file, name).toMatch(/\/dist\/[^/]+\.js$/);
    }
  }, 120_000);

  it('the SQLite token writer thread starts from the packed JavaScript, with no TypeScript loader installed', async () => {
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    const script = `import { createStore, tokenWriterReady } from '@gatehouse-auth/store';
const store = await createStore('sqlite:' + process.argv[2]);
console.log(JSON.stringify({ ready: await tokenWriterReady(store) }));
await store.close();`;
    // A script file, not `node -e`: a worker thread inherits the parent's execArgv, and --input-type fails there.
    await writeFile(join(project, 'writer.mjs'), script);
    const { stdout } = await run(process.execPath, ['writer.mjs', join(work, 'writer.sqlite')], { cwd: project, env: userEnv() });
    expect(JSON.parse(stdout)).toEqual({ ready: true });
  }, 120_000);

  it('a TypeScript consumer type-checks against the declaration files', async () => {
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'], strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--explainFiles'], { cwd: project, env: userEnv(), maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout: string }) => error,
    );
    const declarations = result.stdout.split('\n').filter((line) => /@gatehouse-auth\/[^/]+\/dist\/index\.d\.ts$/.test(line.trim()));
    expect(result.stdout.split('\n').filter((line) => /error TS/.test(line))).toEqual([]);
    // The declarations it checked against are the packed ones, in the project.
    expect(declarations.length).toBeGreaterThanOrEqual(6);
    for (const line of declarations) expect(line.trim().startsWith('node_modules/@gatehouse-auth/'), line).toBe(true);
  }, 180_000);

  it('the official MCP SDK client gets through OAuth to a plain-node MCP server, against Gatehouse started from the packed bin', async () => {
    const [asPort, mcpPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${asPort}`;
    const resource = `http://127.0.0.1:${mcpPort}/mcp`;
    await writeFile(join(project, 'gatehouse.yaml'), (await readFile(join(FIXTURES, 'gatehouse.yaml'), 'utf8')).replaceAll('MCP_RESOURCE_URI', resource));

    // The `gatehouse` bin as npm installed it, plain node: development mode (SQLite in ./.gatehouse).
    const bin = join(project, 'node_modules', '.bin', 'gatehouse');
    expect(await realpath(bin)).toBe(join(project, 'node_modules', '@gatehouse-auth', 'cli', 'dist', 'bin.js'));
    await start([bin, 'dev', '--port', String(asPort), '--config', 'gatehouse.yaml', '--no-mcp'], /Press Ctrl-C to stop/);
    // The MCP server serves Packed Co.: its id as the packed CLI prints it.
    const orgs = JSON.parse((await run(process.execPath, [bin, 'orgs', 'list', '--json'], { cwd: project, env: userEnv() })).stdout) as Array<{ slug: string; id: string }>;
    const orgId = orgs.find((org) => org.slug === 'packed')?.id;
    expect(orgId).toMatch(/^org_/);
    const mcp = await start(['server.mjs'], /"ready":true/, { ISSUER: issuer, RESOURCE: resource, INTROSPECTION_SECRET: 'packed-notes-introspection-secret-0123456789', ORG_ID: orgId });
    const origins = JSON.parse(mcp.line) as { mcp: string; core: string };
    for (const url of [origins.mcp, origins.core]) expect(fileURLToPath(url).startsWith(join(project, 'node_modules', '@gatehouse-auth') + sep)).toBe(true);

    // 401 → protected resource metadata → AS metadata → dynamic registration → PKCE → authorize.
    const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'Packed install test' });
    const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
    const client = new Client({ name: 'packed-install-test', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const authorizationUrl = provider.authorizationUrls.at(-1);
    expect(authorizationUrl?.origin).toBe(issuer);
    expect(authorizationUrl?.searchParams.get('resource')).toBe(resource);

    // The person signs in and consents in a browser, then the client redeems the code.
    browser = await launchBrowser();
    const callback = await authorizeInBrowser(browser, authorizationUrl!, REDIRECT_URL, USER);
    expect(callback.searchParams.get('iss')).toBe(issuer);
    expect(callback.searchParams.get('state')).toBe(provider.expectedState);
    await transport.finishAuth(callback.searchParams.get('code')!);

    const connected = new Client({ name: 'packed-install-test', version: '1.0.0' });
    await connected.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }));
    try {
      expect((await connected.listTools()).tools.map((t) => t.name)).toEqual(['read_notes']);
      const result = await connected.callTool({ name: 'read_notes', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(result.content).toEqual([{ type: 'text', text: expect.stringMatching(/^notes for \S+/) }]);
    } finally {
      await connected.close();
    }
  }, 180_000);
});
