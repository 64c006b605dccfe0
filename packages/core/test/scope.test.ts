import { describe, expect, it } from 'vitest';
import { highestSensitivity, isCatalogueScopeName, parseScopeParam } from '../src/scope.ts';
import { canonicalResourceUri } from '../src/resource-uri.ts';

describe('RFC 6749 §3.3 scope parameter', () => {
  it('splits on single spaces and drops duplicates', () => {
    expect(parseScopeParam('tickets:read  code:read')).toBeUndefined();
    expect(parseScopeParam('tickets:read code:read tickets:read')).toEqual(['tickets:read', 'code:read']);
  });
  it('rejects a scope-token with a double quote or backslash', () => {
    expect(parseScopeParam('a"b')).toBeUndefined();
    expect(parseScopeParam('a\\b')).toBeUndefined();
  });
  it('treats an absent scope as empty', () => {
    expect(parseScopeParam(undefined)).toEqual([]);
  });
});

describe('Gatehouse catalogue names are resource:verb[:qualifier]', () => {
  it('accepts two or three lower-case segments only', () => {
    expect(isCatalogueScopeName('employees:read:public')).toBe(true);
    expect(isCatalogueScopeName('tickets:read')).toBe(true);
    expect(isCatalogueScopeName('tickets')).toBe(false);
    expect(isCatalogueScopeName('Tickets:Read')).toBe(false);
    expect(isCatalogueScopeName('a:b:c:d')).toBe(false);
  });
  it('picks the most sensitive scope', () => {
    const table: Record<string, 'routine' | 'critical'> = { a: 'routine', b: 'critical' };
    expect(highestSensitivity(['a', 'b'], (s) => table[s])).toBe('critical');
    expect(highestSensitivity([], () => 'critical')).toBe('routine');
  });
});

describe('RFC 8707 resource indicators', () => {
  it('rejects a fragment or a relative URI', () => {
    expect(canonicalResourceUri('https://mcp.example.com/mcp#x')).toBeUndefined();
    expect(canonicalResourceUri('/mcp')).toBeUndefined();
  });
  it('treats https://MCP.example.com/ and https://mcp.example.com as one resource', () => {
    expect(canonicalResourceUri('https://MCP.example.com/')).toBe('https://mcp.example.com');
    expect(canonicalResourceUri('https://mcp.example.com:443/mcp')).toBe('https://mcp.example.com/mcp');
  });
});
