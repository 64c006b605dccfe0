import { mkdtempSync, mkdirSync, symlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy, constraintViolation, PolicyError, type UpstreamPolicy } from '../src/index.ts';

const SCOPES = ['files:read', 'files:write', 'everything:use'];
const ALICE = { subject: 'usr_alice', kind: 'user' as const, orgId: 'org_acme', roles: [], permissions: [], scopes: ['files:read'], clientId: 'c', expiresAt: Infinity };
const context = { time: 0, ip: undefined, userAgent: undefined, resource: 'https://gw.test/fs/mcp' };

const issuesOf = (policy: UpstreamPolicy): { path: (string | number)[]; message: string }[] => {
  try {
    compilePolicy(policy, SCOPES);
  } catch (error) {
    if (error instanceof PolicyError) return error.issues;
    throw error;
  }
  return [];
};

const decide = async (policy: UpstreamPolicy, name: string, args: Record<string, unknown> = {}) => {
  const gate = compilePolicy(policy, SCOPES).tools.get(name);
  const decision = gate.policy ? await gate.policy(ALICE, { kind: 'tool', name, arguments: args }, context) : { allow: true };
  return { requires: gate.requires.alternatives.flat(), decision };
};

describe('Gateway policy: which rule decides a name', () => {
  const policy: UpstreamPolicy = {
    tools: [
      { name: 'read_*', scopes: ['files:read'] },
      { name: 'read_secrets', deny: true },
      { name: 'write_file', scopes: ['files:write'] },
    ],
  };

  it('an exact name wins over a pattern written before it', async () => {
    expect((await decide(policy, 'read_secrets')).decision).toEqual({ allow: false, reason: "the gateway's policy forbids tool read_secrets" });
    expect(await decide(policy, 'read_text_file')).toEqual({ requires: ['files:read'], decision: { allow: true } });
  });

  it('denies what no rule names by default, and hides it from lists', async () => {
    expect((await decide(policy, 'delete_everything')).decision.allow).toBe(false);
    expect(compilePolicy(policy, SCOPES).tools.visible('delete_everything', new Set(SCOPES))).toBe(false);
  });

  it('a default scope allows what no rule names to holders of that scope only', async () => {
    const open = compilePolicy({ ...policy, default: { scope: 'everything:use' } }, SCOPES);
    expect(open.tools.get('echo').requires.alternatives).toEqual([['everything:use']]);
    expect(open.tools.visible('echo', new Set(['everything:use']))).toBe(true);
    expect(open.tools.visible('echo', new Set(['files:read']))).toBe(false);
  });

  it('a deny rule is hidden even from a caller holding every scope', () => {
    expect(compilePolicy(policy, SCOPES).tools.visible('read_secrets', new Set(SCOPES))).toBe(false);
  });

  it('? matches exactly one character and pattern metacharacters of regular expressions are literal', () => {
    const compiled = compilePolicy(
      {
        tools: [
          { name: 'get_?', scopes: [] },
          { name: 'a.b', scopes: [] },
        ],
      },
      SCOPES,
    );
    expect(compiled.tools.visible('get_x', new Set())).toBe(true);
    expect(compiled.tools.visible('get_xy', new Set())).toBe(false);
    expect(compiled.tools.visible('aXb', new Set())).toBe(false);
  });
});

describe('Gateway policy: a mistake stops startup with where and why', () => {
  it('names an unknown scope with its path', () => {
    expect(issuesOf({ tools: [{ name: 'x', scopes: ['files:delete'] }] })).toEqual([
      { path: ['policy', 'tools', 0, 'scopes', 0], message: 'unknown scope "files:delete" (this upstream\'s scopes: files:read, files:write, everything:use)' },
    ]);
    expect(issuesOf({ default: { scope: 'nope:nope' } })[0]?.path).toEqual(['policy', 'default', 'scope']);
  });

  it('refuses a bad pattern: empty, brackets, negation, **', () => {
    const issues = issuesOf({ tools: [{ name: '' }, { name: 'read_[a-z]' }, { name: '!write' }, { name: 'fs/**' }], prompts: [{ name: '{a,b}' }] });
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(['policy.tools.0.name', 'policy.tools.1.name', 'policy.tools.2.name', 'policy.tools.3.name', 'policy.prompts.0.name']);
    expect(issues.every((issue) => issue.message.startsWith('bad pattern'))).toBe(true);
  });

  it('refuses a name listed twice', () => {
    expect(issuesOf({ tools: [{ name: 'x' }, { name: 'x' }] })).toEqual([{ path: ['policy', 'tools', 1, 'name'], message: 'tool x is named twice' }]);
  });
});

describe('Gateway policy: argument constraints', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'gw-policy-')));
  const allowed = join(root, 'acme');
  mkdirSync(join(allowed, 'docs'), { recursive: true });
  mkdirSync(join(root, 'other'));
  symlinkSync(join(root, 'other'), join(allowed, 'escape'));
  const under = { pathUnder: allowed };

  it('a path under the prefix passes, relative or absolute, existing or not', () => {
    expect(constraintViolation('path', join(allowed, 'docs/a.txt'), under)).toBeUndefined();
    expect(constraintViolation('path', 'docs/new/b.txt', under)).toBeUndefined();
    expect(constraintViolation('path', allowed, under)).toBeUndefined();
  });

  it('refuses .. that leaves the prefix after normalisation', () => {
    expect(constraintViolation('path', join(allowed, 'docs/../../other/x'), under)).toBe(`argument path is outside ${allowed}`);
    expect(constraintViolation('path', '../other', under)).toBe(`argument path is outside ${allowed}`);
  });

  it('refuses a sibling directory that only shares the prefix as a string', () => {
    expect(constraintViolation('path', `${allowed}-evil/x`, under)).toBe(`argument path is outside ${allowed}`);
  });

  it('refuses NUL, ~ and a non-string', () => {
    expect(constraintViolation('path', `${allowed}/a\0b`, under)).toBe('argument path contains a NUL character');
    expect(constraintViolation('path', '~/.ssh/id_rsa', under)).toMatch(/starts with ~/);
    expect(constraintViolation('path', 42, under)).toBe('argument path must be a path (a string)');
  });

  it('refuses a symbolic link inside the prefix that leads outside it, also for a file not yet created there', () => {
    expect(constraintViolation('path', join(allowed, 'escape/secret.txt'), under)).toBe(`argument path leads outside ${allowed} through a symbolic link`);
    expect(constraintViolation('path', join(allowed, 'escape/new/dir'), under)).toMatch(/symbolic link/);
  });

  it('checks every element of an array (read_multiple_files)', () => {
    expect(constraintViolation('paths', [join(allowed, 'docs/a'), '/etc/passwd'], under)).toBe(`argument paths is outside ${allowed}`);
  });

  it('enum and max length', () => {
    expect(constraintViolation('mode', 'fast', { enum: ['fast', 'slow'] })).toBeUndefined();
    expect(constraintViolation('mode', 'rm', { enum: ['fast', 'slow'] })).toBe('argument mode must be one of "fast", "slow"');
    expect(constraintViolation('query', 'x'.repeat(11), { maxLength: 10 })).toBe('argument query is longer than 10 characters');
  });

  it("a tool's argument policy refuses the call with the reason", async () => {
    const result = await decide({ tools: [{ name: 'read_text_file', scopes: ['files:read'], arguments: { path: under } }] }, 'read_text_file', { path: '/etc/passwd' });
    expect(result.decision).toEqual({ allow: false, reason: `argument path is outside ${allowed}` });
  });
});
