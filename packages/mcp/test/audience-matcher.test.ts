/**
 * audienceMatcher (the introspection verifier's audience check, made once per
 * server) answers exactly as audienceMatches for every `aud`: its shortcut for
 * an `aud` spelled as the canonical resource must never accept what the
 * canonical comparison refuses, even when the resource given is not canonical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audienceMatcher, audienceMatches } from '../src/verification/audience.ts';

const resources = ['https://mcp.example.com/mcp', 'http://127.0.0.1:4001/mcp', 'https://mcp.example.com', 'https://MCP.example.com/', 'https://mcp.example.com:443/mcp', 'not a uri'];
const spellings = [
  'https://mcp.example.com/mcp',
  'HTTPS://MCP.EXAMPLE.COM/mcp',
  'https://mcp.example.com:443/mcp',
  'https://mcp.example.com/mcp/',
  'https://mcp.example.com',
  'https://mcp.example.com/',
  'https://MCP.example.com/',
  'http://127.0.0.1:4001/mcp',
  'http://127.0.0.1:4001/mcp#x',
  'https://user@mcp.example.com/mcp',
  'not a uri',
  '',
];
const aud = fc.oneof(
  fc.constantFrom(...spellings),
  fc.string(),
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.array(fc.oneof(fc.constantFrom(...spellings), fc.integer(), fc.constant(null)), { maxLength: 4 }),
);

describe('RFC 8707 audience check made once per server', () => {
  it('answers as audienceMatches for every aud (string, array, other types) and every resource, canonical or not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...resources), aud, (resource, value) => {
        expect(audienceMatcher(resource)(value)).toBe(audienceMatches(value, resource));
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts the canonical resource and its other spellings, refuses a non-canonical resource spelled exactly', () => {
    const matches = audienceMatcher('https://mcp.example.com/mcp');
    expect(matches('https://mcp.example.com/mcp')).toBe(true);
    expect(matches(['https://other.example/mcp', 'HTTPS://MCP.example.com:443/mcp'])).toBe(true);
    expect(matches('https://mcp.example.com/other')).toBe(false);
    expect(matches(undefined)).toBe(false);
    // A resource that is not its own canonical form: the exact spelling is no shortcut past the canonical comparison.
    expect(audienceMatcher('https://MCP.example.com/')('https://MCP.example.com/')).toBe(false);
  });
});
