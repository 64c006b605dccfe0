import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_CONFIG, runCli } from './run.ts';

// Each case spawns the CLI (Cedar's WebAssembly loads per process): slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let dir: string;
let config: string;

beforeAll(() => {
  // A copy of the example company, so cases and policies can be broken without touching the real ones.
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-policy-'));
  cpSync(EXAMPLE_CONFIG, join(dir, 'gatehouse.yaml'));
  cpSync(join(dirname(EXAMPLE_CONFIG), 'policies'), join(dir, 'policies'), { recursive: true });
  config = join(dir, 'gatehouse.yaml');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gatehouse policy (issue 15 §3: policies in CI)', () => {
  it("validates the example company's policies against the schema generated from its gatehouse.yaml", async () => {
    const result = await runCli(['policy', 'validate', '-c', EXAMPLE_CONFIG]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/5 policies in .*baseline\.cedar.* are valid/);
  });

  it("passes every case of the example's cases.yaml", async () => {
    const result = await runCli(['policy', 'test', '-c', EXAMPLE_CONFIG]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok    the same read at 22:00 is outside business hours (deny by private-records-business-hours)');
    expect(result.stdout).toMatch(/^9 policy cases passed$/m);
  });

  it('a deliberately wrong expectation fails: exit 1, naming the file, line, case and both decisions', async () => {
    const cases = join(dir, 'wrong-cases.yaml');
    writeFileSync(
      cases,
      [
        'cases:',
        '  - name: right',
        '    principal: { user: hana@acme.test, roles: [HR] }',
        '    action: tool:employee_information_private',
        '    context: { time: "2026-03-02T10:00:00+01:00", reason: review }',
        '    expect: allow',
        '  - name: wrong on purpose',
        '    principal: { user: hana@acme.test, roles: [HR] }',
        '    action: tool:employee_information_private',
        '    context: { time: "2026-03-02T22:00:00+01:00", reason: review }',
        '    expect: allow',
        '',
      ].join('\n'),
    );
    const result = await runCli(['policy', 'test', '-c', config, cases]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ok    right');
    expect(result.stdout).toContain('FAIL  wrong on purpose');
    expect(result.stderr).toContain('1 of 2 policy cases failed');
    expect(result.stderr).toMatch(/wrong-cases\.yaml:7: case "wrong on purpose": expected allow, got deny \(private employee records are available Monday to Friday/);
  });

  it('a policy reading an attribute the schema does not have fails validation with file, line and policy id', async () => {
    const file = join(dir, 'policies', 'finance.cedar');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\n@id("typo")\nforbid (principal, action, resource)\nwhen { context.hours > 20 };\n`);
    try {
      const validate = await runCli(['policy', 'validate', '-c', config]);
      expect(validate.code).toBe(1);
      const line = original.split('\n').length + 3;
      expect(validate.stderr).toMatch(new RegExp(`policies/finance\\.cedar:${line} \\(policy typo\\): .*hours`));
      // The cases cannot run on policies that do not validate either.
      const test = await runCli(['policy', 'test', '-c', config]);
      expect(test.code).toBe(1);
      expect(test.stderr).toContain('the policies do not validate');
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a syntax error is reported at its line', async () => {
    const file = join(dir, 'policies', 'tickets.cedar');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\npermit (principal, action, resource) when { ;\n`);
    try {
      const result = await runCli(['policy', 'validate', '-c', config]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`policies/tickets\\.cedar:${original.split('\n').length + 1}: `));
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a malformed case is refused with its line before anything runs', async () => {
    const cases = join(dir, 'bad-cases.yaml');
    writeFileSync(cases, 'cases:\n  - name: no expectation\n    principal: { user: u }\n    action: tool:list_tickets\n    context: { time: "yesterday" }\n');
    const result = await runCli(['policy', 'test', '-c', config, cases]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad-cases\.yaml:2: cases\[0\]\.context\.time: must be an ISO 8601 instant/);
    expect(result.stderr).toMatch(/bad-cases\.yaml:2: cases\[0\]\.expect/);
  });
});
