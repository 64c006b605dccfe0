/**
 * The keep-alive race on the hop to an HTTP upstream (upstream-transport.ts):
 * an upstream closes a connection it kept idle, and a request written on it
 * at that moment is reset unread. Such a request is sent again on another
 * connection; a request that failed on a new connection, or after its answer
 * began, is not (it may have been read).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeTransport, type UpstreamTransport } from '../src/upstream-transport.ts';

type Move = 'answer' | 'reset' | 'reset after the status line' | 'close';

/** A scripted HTTP/1.1 upstream: what it does with the n-th request on the c-th connection. */
function scriptedUpstream(script: (connection: number, request: number) => Move) {
  const requests: { connection: number; body: string }[] = [];
  let connections = 0;
  const server: Server = createServer((socket: Socket) => {
    const connection = connections++;
    let served = 0;
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const headEnd = pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(pending.toString('latin1', 0, headEnd))?.[1] ?? 0);
      if (pending.byteLength < headEnd + 4 + length) return;
      const body = pending.toString('utf8', headEnd + 4, headEnd + 4 + length);
      pending = pending.subarray(headEnd + 4 + length);
      requests.push({ connection, body });
      const move = script(connection, served++);
      if (move === 'reset') return void socket.resetAndDestroy();
      if (move === 'close') return void socket.end();
      if (move === 'reset after the status line') {
        socket.write('HTTP/1.1 200 OK\r\n');
        return void setTimeout(() => socket.resetAndDestroy(), 20);
      }
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\nkeep-alive: timeout=5\r\n\r\n{}');
    });
  });
  return { server, requests, connections: () => connections };
}

let open: { server: Server; transport: UpstreamTransport } | undefined;

async function start(script: (connection: number, request: number) => Move) {
  const upstream = scriptedUpstream(script);
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  const transport = nodeTransport();
  open = { server: upstream.server, transport };
  const url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/mcp`;
  const send = (body: string) => transport.send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  /** Sent, and the answer read to its end: the connection goes back to the pool. */
  const call = async (body: string) => {
    const answer = await send(body);
    return { status: answer.status, text: await new Response(answer.body).text() };
  };
  return { ...upstream, call };
}

afterEach(async () => {
  open?.transport.close();
  await new Promise((resolve) => open?.server.close(resolve));
  open = undefined;
});

describe('the keep-alive race on the hop to an HTTP upstream', () => {
  it('sends a request reset unread on a kept-alive connection again, on another connection', async () => {
    const upstream = await start((connection, request) => (connection === 0 && request === 1 ? 'reset' : 'answer'));
    expect(await upstream.call('{"n":1}')).toEqual({ status: 200, text: '{}' });
    expect(await upstream.call('{"n":2}')).toEqual({ status: 200, text: '{}' });
    expect(upstream.requests).toEqual([
      { connection: 0, body: '{"n":1}' },
      { connection: 0, body: '{"n":2}' },
      { connection: 1, body: '{"n":2}' },
    ]);
  });

  it('does not send again a request that failed on a new connection: the upstream may have read it', async () => {
    const upstream = await start(() => 'reset');
    await expect(upstream.call('{"n":1}')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(upstream.requests).toHaveLength(1);
  });

  it('does not send again a request whose answer had begun on a kept-alive connection', async () => {
    const upstream = await start((connection, request) => (connection === 0 && request === 1 ? 'reset after the status line' : 'answer'));
    await upstream.call('{"n":1}');
    await expect(upstream.call('{"n":2}')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(upstream.requests).toHaveLength(2);
  });

  it('does not send again a request whose kept-alive connection was closed cleanly without an answer: the upstream may have run it', async () => {
    const upstream = await start((connection, request) => (connection === 0 && request === 1 ? 'close' : 'answer'));
    await upstream.call('{"n":1}');
    await expect(upstream.call('{"n":2}')).rejects.toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(upstream.requests).toHaveLength(2);
  });

  it('gives up after two more connections that were reset too, with the reset', async () => {
    const upstream = await start((_connection, request) => (request === 0 ? 'answer' : 'reset'));
    // Four connections kept alive, each answered once.
    await Promise.all([1, 2, 3, 4].map((n) => upstream.call(`{"warm":${n}}`)));
    await expect(upstream.call('{"n":5}')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(upstream.requests.filter((request) => request.body === '{"n":5}')).toHaveLength(3);
  });
});
