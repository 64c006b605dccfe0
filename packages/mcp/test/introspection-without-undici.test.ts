/**
 * A runtime that cannot load undici (a web-only one, without node:net) still
 * introspects: the verifier goes on with `fetch` (form-post.ts imports undici
 * on first use).
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('undici', () => {
  throw new Error('No such built-in module: node:net');
});

describe('introspection where undici cannot load', () => {
  it('falls back to the global fetch and verifies the token', async () => {
    const { IntrospectionVerifier } = await import('../src/verification/introspection-verifier.ts');
    const calls: string[] = [];
    const realFetch = globalThis.fetch;
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      calls.push(String(input));
      if (String(input).endsWith('/introspect')) {
        const token = new URLSearchParams(String(init?.body)).get('token');
        return new Response(
          JSON.stringify({ active: true, iss: 'http://as.example', aud: 'https://mcp.example.com/mcp', sub: token, client_id: 'c', scope: 'tickets:read', exp: Math.floor(Date.now() / 1000) + 600 }),
          { headers: { 'content-type': 'application/json' } },
        );
      }
      return realFetch(input, init);
    });
    try {
      const verifier = new IntrospectionVerifier({ issuer: 'http://as.example', resource: 'https://mcp.example.com/mcp', clientId: 'rs', clientSecret: 's', revocationStream: false });
      expect(await verifier.verify('tok-1')).toMatchObject({ ok: true, principal: { subject: 'tok-1' } });
      expect(await verifier.verify('tok-2')).toMatchObject({ ok: true, principal: { subject: 'tok-2' } });
      expect(calls).toEqual(['http://as.example/introspect', 'http://as.example/introspect']);
      await verifier.close();
    } finally {
      fetchSpy.mockRestore();
    }
  });
});
