import { describe, expect, it } from 'vitest';
import { evaluationReads } from '../../src/cedar/evaluation-reads.ts';
import { cedar } from '../../src/cedar/wasm.ts';

const readsOf = (condition: string) => {
  const json = cedar.policyToJson(`permit (principal, action, resource) when { ${condition} };`);
  if (json.type === 'failure') throw new Error(json.errors.map((e) => e.message).join('; '));
  const reads = evaluationReads(json.json);
  const show = (attributes: Set<string> | true) => (attributes === true ? 'all' : [...attributes].sort());
  return { principal: show(reads.principal), resource: show(reads.resource), context: show(reads.context) };
};

describe('A call passes Cedar only what its policies can read', () => {
  it('a named attribute, tested or read, is read; comparing an entity or testing its type or roles reads no attribute', () => {
    expect(readsOf('principal has team && principal.team == context.ownerTeam && context.ip.isInRange(ip("10.0.0.0/8"))')).toEqual({ principal: ['team'], resource: [], context: ['ip', 'ownerTeam'] });
    expect(readsOf('principal in Role::"HR" && principal is User && resource == Tool::"x" && principal != resource')).toEqual({ principal: [], resource: [], context: [] });
  });

  it('an attribute of an entity reached through the context reads that context key (the whole agent is then passed)', () => {
    expect(readsOf('context.agent.kind == "registered"')).toEqual({ principal: [], resource: [], context: ['agent'] });
  });

  it('any other use of a variable counts as reading all of it: the whole context, entities in a set or a record, an if-else', () => {
    expect(readsOf('context == {}')).toMatchObject({ context: 'all' });
    expect(readsOf('[principal].contains(principal)')).toMatchObject({ principal: 'all' });
    expect(readsOf('{"in": resource} == {"in": resource}')).toMatchObject({ resource: 'all' });
    expect(readsOf('(if context has ip then principal else resource).sensitivity == "x"')).toEqual({ principal: 'all', resource: 'all', context: ['ip'] });
  });
});
