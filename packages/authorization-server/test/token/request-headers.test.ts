import { describe, expect, it } from 'vitest';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { requestHeaders } from '../../src/http/request-headers.ts';

/** Node's request as @hono/node-server hands it over: headers parsed and lower-cased by Node. */
function incoming(headers: Record<string, string | string[]>): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.headers = headers;
  return message;
}

describe('request headers read from Node (form endpoints)', () => {
  it('answers like Headers.get: any case of the name, null when absent', () => {
    const headers = requestHeaders(new Request('http://as.test/token'), incoming({ authorization: 'Basic YTpi', 'content-type': 'application/x-www-form-urlencoded' }));
    expect(headers.get('Authorization')).toBe('Basic YTpi');
    expect(headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(headers.get('content-length')).toBeNull();
  });

  it('joins a repeated header with ", " as Headers does', () => {
    const headers = requestHeaders(new Request('http://as.test/token'), incoming({ 'x-forwarded-for': ['203.0.113.1', '198.51.100.2'] }));
    expect(headers.get('x-forwarded-for')).toBe('203.0.113.1, 198.51.100.2');
  });

  it("uses the Request's own headers when there is no Node request (in-process app.request)", () => {
    const request = new Request('http://as.test/token', { headers: { authorization: 'Bearer x' } });
    expect(requestHeaders(request, undefined).get('authorization')).toBe('Bearer x');
  });
});
