/**
 * The engine keeps Cedar's answer for the exact call it handed Cedar
 * (decision-cache.ts). The oracle is the same engine with the cache off:
 * every decision, first or repeated, must be the same in every field. The
 * cache holds only Cedar's answers, so these engines hand Cedar every call
 * (no compiled policies, policy-evaluator.ts).
 */
import { describe, expect, it } from 'vitest';
import { benchModel, benchPolicies } from '../../../../bench/lib/policy-set.ts';
import { CedarEngine, parsePolicyFiles, type CedarInput } from '../../src/index.ts';
import { DecisionCache, MAX_KEY_LENGTH } from '../../src/cedar/decision-cache.ts';
import { companyModel, examplePolicyFiles } from './support.ts';

const TIME_ZONE = 'Europe/Berlin';
const MONDAY = Date.parse('2026-03-02T00:00:00+01:00');

/** Calls over every input the example and generated policies read; `i` picks one, so the same `i` is the same call. */
function call(i: number, tools: string[], roles: string[][]): CedarInput {
  const user = i % 5 !== 0;
  const clientId = user ? 'https://client.example/metadata.json' : 'bot';
  return {
    principal: user
      ? { subject: `usr_${i % 3}`, kind: 'user', orgId: 'org_acme', roles: roles[i % roles.length]!, scopes: ['tickets:read'], clientId }
      : { subject: 'client:bot', kind: 'service', orgId: null, roles: [], scopes: ['tickets:read'], clientId },
    userAttributes: i % 4 === 0 ? { team: 'Support' } : undefined,
    agent: user ? { kind: 'metadata_document', name: clientId, metadataHost: 'client.example' } : { kind: 'registered', name: clientId },
    operation: { kind: 'tool', name: tools[i % tools.length]! },
    time: MONDAY + (i % 7) * 3 * 3_600_000 + (i % 11) * 86_400_000,
    ip: ['10.1.2.3', '127.0.0.1', '203.0.113.9', '198.51.3.7', undefined][i % 5],
    reason: ['annual review', 'frozen-0', undefined][i % 3],
    ownerTeam: ['Support', 'Billing', undefined][i % 3],
  };
}

const SETS = [
  ['the example company', () => ({ source: parsePolicyFiles(examplePolicyFiles()), model: companyModel() })],
  ['100 generated policies, mixed', () => ({ source: parsePolicyFiles(benchPolicies(100, 'mixed')), model: benchModel() })],
] as const;

describe('Cedar answers kept by the exact call (decision cache)', () => {
  it.each(SETS)('%s: a repeated call gets the decision Cedar gives it afresh, every field the same', (_name, load) => {
    const { source, model } = load();
    const cached = new CedarEngine({ source, model, timeZone: TIME_ZONE, compiledPolicies: false });
    const uncached = new CedarEngine({ source, model, timeZone: TIME_ZONE, decisionCacheSize: 0, compiledPolicies: false });
    const tools = Object.keys(model.tools).slice(0, 8);
    const roles = [['Support'], ['HR'], ['Management'], ['Team-4'], ['Engineering', 'Team-1']];
    let allowed = 0;
    // 300 distinct calls, each made twice in different orders: the second time from the cache.
    for (const order of [(i: number) => i, (i: number) => 299 - i]) {
      for (let n = 0; n < 300; n++) {
        const input = call(order(n), tools, roles);
        const decision = cached.evaluate(input);
        expect(decision, JSON.stringify(input)).toEqual(uncached.evaluate(input));
        if (decision.allow) allowed++;
      }
    }
    expect(cached.decisions.hits).toBeGreaterThanOrEqual(300);
    expect(uncached.decisions.entries).toBe(0);
    // Both outcomes occur, so the comparison is not between two constant answers.
    expect(allowed).toBeGreaterThan(30);
    expect(allowed).toBeLessThan(570);
  });

  it('a call differing in one value a policy reads is decided anew: a cached allow does not answer a call from outside the network', () => {
    const engine = new CedarEngine({ source: parsePolicyFiles(examplePolicyFiles()), model: companyModel(), timeZone: TIME_ZONE, compiledPolicies: false });
    const revenue = (ip: string): CedarInput => ({
      principal: { subject: 'usr_1', kind: 'user', orgId: 'org_acme', roles: ['Management'], scopes: [], clientId: 'app' },
      agent: { kind: 'registered', name: 'app' },
      operation: { kind: 'tool', name: 'revenue_report' },
      time: MONDAY + 10 * 3_600_000,
      ip,
    });
    expect(engine.evaluate(revenue('10.1.2.3')).allow).toBe(true);
    expect(engine.evaluate(revenue('10.1.2.3')).allow).toBe(true);
    expect(engine.evaluate(revenue('203.0.113.9'))).toMatchObject({ allow: false, policies: ['revenue-from-company-network'] });
    expect({ hits: engine.decisions.hits, misses: engine.decisions.misses }).toEqual({ hits: 1, misses: 2 });
  });
});

describe('DecisionCache bounds', () => {
  it('keeps at most its size, dropping the least recently used answer first', () => {
    const cache = new DecisionCache<string>(2);
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A');
    cache.set('c', 'C');
    expect(cache.entries).toBe(2);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['A', undefined, 'C']);
  });

  it('keeps no call longer than MAX_KEY_LENGTH (e.g. a long stated reason), and nothing at size 0', () => {
    const cache = new DecisionCache<string>(8);
    cache.set('x'.repeat(MAX_KEY_LENGTH + 1), 'long');
    cache.set('x'.repeat(MAX_KEY_LENGTH), 'fits');
    expect([cache.get('x'.repeat(MAX_KEY_LENGTH + 1)), cache.get('x'.repeat(MAX_KEY_LENGTH))]).toEqual([undefined, 'fits']);
    const off = new DecisionCache<string>(0);
    off.set('a', 'A');
    expect(off.get('a')).toBeUndefined();
  });
});
