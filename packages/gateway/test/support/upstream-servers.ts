/**
 * The unmodified MCP servers the gateway is tested against, started from
 * their installed packages: server-everything over Streamable HTTP (its own
 * process, a free port) or as a stdio command, server-filesystem as a stdio
 * command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reserveFreePort } from '../../../authorization-server/test/support/listen.ts';

const modules = (path: string) => fileURLToPath(new URL(`../../../../node_modules/${path}`, import.meta.url));

export const EVERYTHING_BIN = modules('@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM_BIN = modules('@modelcontextprotocol/server-filesystem/dist/index.js');

export interface RunningHttpUpstream {
  url: string;
  close(): Promise<void>;
}

/** server-everything's Streamable HTTP transport on 127.0.0.1 (it binds every interface; the port is free and ours). */
export async function startEverythingHttp(): Promise<RunningHttpUpstream> {
  const port = await reserveFreePort();
  const child: ChildProcess = spawn(process.execPath, [EVERYTHING_BIN, 'streamableHttp'], { env: { ...process.env, PORT: String(port), NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}/mcp`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server-everything exited with ${child.exitCode}`);
    const ready = await fetch(url, { method: 'GET' }).then(
      (response) => response.body?.cancel().then(() => true) ?? true,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('server-everything did not start listening within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
