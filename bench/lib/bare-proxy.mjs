/**
 * The gateway bench's floor: a bare reverse proxy on node:http, in its own
 * process (`node bare-proxy.mjs <port> <upstream url>`), doing only what any
 * proxy in front of an MCP server cannot skip: read the request, send it on
 * over a keep-alive connection, read the whole answer and write it back
 * with a Content-Length (as the gateway's held path does). No token, policy,
 * session binding, audit or log. What it adds to a call over calling the
 * upstream directly is the cost of one more hop on this machine (two more
 * process wake-ups, loopback, node:http's parsers), which the gateway pays
 * too; the gateway's own work is what it adds beyond this.
 *
 * Plain JavaScript, run by plain node: no TS loader in the measured process.
 */
import { Agent, createServer, request as httpRequest } from 'node:http';

const [port, upstream] = process.argv.slice(2);
const target = new URL(upstream);
const agent = new Agent({ keepAlive: true });
// Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's, not the message's.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'host', 'content-length']);

const forwardable = (headers) => {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
};

const server = createServer((clientRequest, clientResponse) => {
  const chunks = [];
  clientRequest.on('data', (chunk) => chunks.push(chunk));
  clientRequest.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = forwardable(clientRequest.headers);
    headers['content-length'] = String(body.byteLength);
    const upstreamRequest = httpRequest({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: clientRequest.method, headers }, (answer) => {
      const parts = [];
      answer.on('data', (chunk) => parts.push(chunk));
      answer.on('end', () => {
        const whole = Buffer.concat(parts);
        const out = forwardable(answer.headers);
        out['content-length'] = String(whole.byteLength);
        clientResponse.writeHead(answer.statusCode ?? 502, out);
        clientResponse.end(whole);
      });
    });
    upstreamRequest.on('error', () => {
      if (!clientResponse.headersSent) clientResponse.writeHead(502, { 'content-length': '0' });
      clientResponse.end();
    });
    upstreamRequest.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.send?.('listening'));
