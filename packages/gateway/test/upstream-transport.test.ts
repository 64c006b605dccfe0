/**
 * The node:http hop to an HTTP upstream (upstream-transport.ts): redirects
 * followed as fetch followed them, but never to another origin (the
 * gateway's credentials for an upstream go to that upstream only),
 * answers without a body handled, and an answer held whole only when it
 * ends within the hold, else streamed from its first byte.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTransport, type UpstreamTransport } from '../src/upstream-transport.ts';

interface Seen {
  url: string;
  method: string;
  apiKey: string | undefined;
  body: string;
}

let upstream: Server;
let elsewhere: Server;
const seen: Seen[] = [];
const seenElsewhere: Seen[] = [];
let transport: UpstreamTransport;
let released!: () => void;
let release = new Promise<void>((resolve) => (released = resolve));
const holdAgain = () => (release = new Promise<void>((resolve) => (released = resolve)));

const origin = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function recording(into: Seen[], answer: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      into.push({ url: req.url ?? '', method: req.method ?? '', apiKey: req.headers['x-api-key'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  };
}

async function listening(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  elsewhere = await listening(createServer(recording(seenElsewhere, (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('elsewhere'))));
  upstream = await listening(
    createServer(
      recording(seen, (req, res) => {
        if (req.url === '/mcp') return void res.writeHead(307, { location: '/mcp/' }).end();
        if (req.url === '/see-other') return void res.writeHead(303, { location: '/mcp/' }).end();
        if (req.url === '/away') return void res.writeHead(307, { location: `${origin(elsewhere)}/mcp` }).end();
        if (req.url === '/empty') return void res.writeHead(204).end();
        if (req.url === '/in-pieces') {
          // Headers, an event and the end in three writes, as an SSE upstream often sends them.
          res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
          setImmediate(() => {
            res.write('data: {"a":1}\n\n');
            setImmediate(() => res.end('data: {"b":2}\n\n'));
          });
          return;
        }
        if (req.url === '/slow') {
          res.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: {"progress":1}\n\n');
          void release.then(() => res.end('data: {"result":2}\n\n'));
          return;
        }
        if (req.url === '/cut') {
          res.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: {"progress":1}\n\n');
          void release.then(() => res.destroy());
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(`{"method":"${req.method}"}`);
      }),
    ),
  );
  transport = nodeTransport();
});

afterAll(async () => {
  transport?.close();
  for (const server of [upstream, elsewhere]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
});

const post = (path: string) => transport.send(`${origin(upstream)}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'gateway-key' }, body: '{"id":1}' });

describe('the node:http hop to an upstream', () => {
  it('follows a redirect within the upstream origin with the same method, body and credentials (307)', async () => {
    seen.length = 0;
    const answer = await post('/mcp');
    expect(answer.status).toBe(200);
    expect(await new Response(answer.body).text()).toBe('{"method":"POST"}');
    expect(seen.map(({ url, method, apiKey, body }) => [url, method, apiKey, body])).toEqual([
      ['/mcp', 'POST', 'gateway-key', '{"id":1}'],
      ['/mcp/', 'POST', 'gateway-key', '{"id":1}'],
    ]);
  });

  it('goes on as a GET without the body after a 303, as fetch does', async () => {
    seen.length = 0;
    const answer = await post('/see-other');
    expect(await new Response(answer.body).text()).toBe('{"method":"GET"}');
    expect(seen.at(-1)).toMatchObject({ url: '/mcp/', method: 'GET', body: '' });
  });

  it("never follows a redirect to another origin: the gateway's credentials stay with the upstream", async () => {
    const answer = await post('/away');
    expect(answer.status).toBe(307);
    await answer.discard();
    expect(seenElsewhere).toEqual([]);
  });

  it('answers without a body (204) have none', async () => {
    const answer = await post('/empty');
    expect(answer.status).toBe(204);
    expect(answer.body).toBeNull();
    expect(await answer.whole?.(1000, 1024)).toBeUndefined();
  });

  it('holds an answer whole when it ends within the hold, however many pieces it came in', async () => {
    const answer = await post('/in-pieces');
    const whole = await answer.whole!(5000, 1024);
    expect(Buffer.from(whole!).toString('utf8')).toBe('data: {"a":1}\n\ndata: {"b":2}\n\n');
  });

  it('an answer still coming after the hold streams from its first byte: what was held, then the rest', async () => {
    holdAgain();
    const answer = await post('/slow');
    expect(await answer.whole!(20, 1024)).toBeUndefined();
    released();
    expect(await readAll(answer.body!)).toBe('data: {"progress":1}\n\ndata: {"result":2}\n\n');
  });

  it('an answer over the size cap is not held whole', async () => {
    const answer = await post('/in-pieces');
    expect(await answer.whole!(5000, 10)).toBeUndefined();
    expect(await readAll(answer.body!)).toBe('data: {"a":1}\n\ndata: {"b":2}\n\n');
  });

  it('an upstream that breaks off during the hold ends the body stream with an error after what it sent', async () => {
    holdAgain();
    const answer = await post('/cut');
    const whole = answer.whole!(5000, 1024);
    released();
    expect(await whole).toBeUndefined();
    const reader = answer.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: {"progress":1}\n\n');
    await expect(reader.read()).rejects.toThrow();
  });
});

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) text += decoder.decode(next.value, { stream: true });
  return text + decoder.decode();
}

describe('the bytes of a request to an upstream', () => {
  /** The request exactly as it arrives at the upstream's socket, answered with an empty JSON body. */
  async function received(send: (url: string) => Promise<void>): Promise<string> {
    let bytes = '';
    const raw = createNetServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.toString('latin1');
        if (bytes.includes('\r\n\r\n') && bytes.endsWith('}')) socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      await send(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/mcp?x=1`);
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
    return bytes.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT');
  }

  it('are the request line, the headers as given in their order, Content-Length, Host and Connection, then the body', async () => {
    const hop = nodeTransport();
    try {
      const bytes = await received(async (url) => {
        const answer = await hop.send(url, {
          method: 'POST',
          headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-session-id': 'abc', 'x-api-key': 'gateway-key' },
          body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"é"}}',
        });
        await answer.discard();
      });
      expect(bytes).toBe(
        'POST /mcp?x=1 HTTP/1.1\r\n' +
          'accept: application/json, text/event-stream\r\n' +
          'content-type: application/json\r\n' +
          'mcp-session-id: abc\r\n' +
          'x-api-key: gateway-key\r\n' +
          'content-length: 69\r\n' +
          'Host: 127.0.0.1:PORT\r\n' +
          'Connection: keep-alive\r\n' +
          '\r\n' +
          '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"Ã©"}}',
      );
    } finally {
      hop.close();
    }
  });

  it('with a header name not in lower case, or a Host given, are what node writes for a header object', async () => {
    const hop = nodeTransport();
    try {
      const bytes = await received(async (url) => {
        const answer = await hop.send(url, { method: 'POST', headers: { 'X-Api-Key': 'gateway-key', host: 'virtual.example' }, body: '{}' });
        await answer.discard();
      });
      expect(bytes).toBe('POST /mcp?x=1 HTTP/1.1\r\nX-Api-Key: gateway-key\r\nhost: virtual.example\r\ncontent-length: 2\r\nConnection: keep-alive\r\n\r\n{}');
    } finally {
      hop.close();
    }
  });

  it('with a header value that came as raw bytes (not ASCII), carry those bytes, and the body as UTF-8', async () => {
    const hop = nodeTransport();
    try {
      const bytes = await received(async (url) => {
        // node:http reads header bytes as latin1: the value of a header whose bytes were C3 A9.
        const answer = await hop.send(url, { method: 'POST', headers: { 'mcp-name': '\u00c3\u00a9' }, body: '{"name":"é"}' });
        await answer.discard();
      });
      expect(Buffer.from(bytes, 'latin1').toString('hex')).toBe(
        Buffer.concat([
          Buffer.from('POST /mcp?x=1 HTTP/1.1\r\nmcp-name: ', 'latin1'),
          Buffer.from([0xc3, 0xa9]),
          Buffer.from('\r\ncontent-length: 13\r\nHost: 127.0.0.1:PORT\r\nConnection: keep-alive\r\n\r\n{"name":"', 'latin1'),
          Buffer.from([0xc3, 0xa9]),
          Buffer.from('"}', 'latin1'),
        ]).toString('hex'),
      );
    } finally {
      hop.close();
    }
  });
});

describe('an upstream that goes silent', () => {
  it('is given up after the idle timeout, before its headers and within its body', async () => {
    const silent = await listening(
      createServer((req, res) => {
        if (req.url === '/mid-body') res.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: {"progress":1}\n\n');
        // otherwise: nothing at all
      }),
    );
    const hop = nodeTransport({ idleTimeoutMs: 150 });
    try {
      const url = (path: string) => `${origin(silent)}${path}`;
      await expect(hop.send(url('/nothing'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).rejects.toThrow('the upstream sent nothing for 0.15 s');
      const answer = await hop.send(url('/mid-body'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(await answer.whole!(20, 1024)).toBeUndefined();
      const reader = answer.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: {"progress":1}\n\n');
      await expect(reader.read()).rejects.toThrow();
    } finally {
      hop.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
