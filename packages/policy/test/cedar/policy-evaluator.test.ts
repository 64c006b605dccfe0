/**
 * The engine decides a call with the policies compiled to JavaScript
 * (policy-evaluator.ts) where they and the call's values lie in the subset
 * it models, and hands Cedar the rest. The oracles are Cedar itself given
 * the whole set, the whole request and the schema, and the same engine
 * with the compiled policies off: every decision, reason and logged input
 * must be the same.
 */
import { describe, expect, it } from 'vitest';
import { benchModel, benchPolicies } from '../../../../bench/lib/policy-set.ts';
import { CedarEngine, parsePolicyFiles, type AccessModel, type CedarInput, type PolicyFile } from '../../src/index.ts';
import { compilePolicySet } from '../../src/cedar/policy-evaluator.ts';
import { ipv4InRange, ipv4IsLoopback, parseIpv4 } from '../../src/cedar/ipv4.ts';
import { cedar, type PolicyJson } from '../../src/cedar/wasm.ts';
import { companyModel, examplePolicyFiles, wholeSetDecision } from './support.ts';

const TIME_ZONE = 'Europe/Berlin';

/** A seeded generator (mulberry32): the same calls on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ADDRESSES = [
  '10.1.2.3',
  '10.255.255.255',
  '11.0.0.0',
  '127.0.0.1',
  '127.255.0.9',
  '128.0.0.1',
  '0.0.0.0',
  '198.51.3.7',
  '198.51.40.1',
  '198.52.0.1',
  '203.0.113.9',
  '::1',
  '2001:db8::7',
  '::ffff:10.0.0.1',
];

function calls(seed: number, tools: string[], roles: string[]): () => CedarInput {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const maybe = <T>(values: readonly T[]): T | undefined => (next() < 0.25 ? undefined : pick(values));
  return () => {
    const user = next() < 0.8;
    const clientId = pick(['https://client.example/metadata.json', 'bot', 'usr_1']);
    const team = maybe(['Support', 'Billing', '']);
    return {
      principal: user
        ? { subject: pick(['usr_1', 'usr_2']), kind: 'user', orgId: pick(['org_acme', null]), roles: roles.filter(() => next() < 0.3), scopes: ['tickets:read'], clientId }
        : { subject: `client:${clientId}`, kind: 'service', orgId: null, roles: [], scopes: pick([['tickets:read'], []]), clientId },
      userAttributes: team === undefined ? undefined : { team },
      agent: clientId.startsWith('https:') ? { kind: 'metadata_document', name: clientId, metadataHost: 'client.example' } : { kind: 'registered', name: clientId },
      operation: { kind: 'tool', name: pick(tools) },
      // Monday 2 March 2026 00:00 Berlin, plus up to two weeks in quarter hours: every hour and weekday.
      time: Date.parse('2026-03-01T23:00:00Z') + Math.floor(next() * 14 * 96) * 900_000,
      ip: maybe(ADDRESSES),
      reason: maybe(['annual review', 'frozen-0', 'frozen-3', 'frozen-12', 'Support']),
      tenant: maybe(['acme', 'globex']),
      owner: maybe(['usr_1', 'usr_2']),
      ownerTeam: maybe(['Support', 'Billing']),
    };
  };
}

/** Every operator, scope and value kind the evaluator models, and some it leaves to Cedar at run time (IPv6 addresses, sets compared). */
const COVERAGE: PolicyFile = {
  path: 'policies/coverage.cedar',
  text: `@id("users-by-default")
permit (principal is User, action, resource);
@id("owner-may-update")
permit (principal, action == Action::"tool:update_ticket", resource == Tool::"update_ticket") when { context has owner && (principal is User && principal has org && context.owner == principal.org || context.owner == "usr_1") };
@id("management-by-day")
permit (principal in Role::"Management", action, resource) when { context.hour >= 7 };
@id("no-night-engineering")
forbid (principal is User in Role::"Engineering", action, resource) when { context.hour < 7 || context.hour >= 22 };
@id("weekend-critical")
forbid (principal, action, resource is Tool) when { context.weekday > 5 && resource.sensitivity == "critical" && !(context has reason) };
@id("not-the-agent-itself")
forbid (principal is Agent, action, resource) when { context.agent == principal && principal.kind != "metadata_document" && !principal.scopes.contains("tickets:read") };
@id("team-match")
forbid (principal is User in Role::"Support", action, resource) when { principal has team && context has ownerTeam } unless { principal.team == context.ownerTeam };
@id("networks")
forbid (principal, action, resource) when { context has ip && (context.ip.isInRange(ip("198.51.0.0/16")) || context.ip.isInRange(ip("10.9.8.7/8")) && !context.ip.isLoopback()) && context.ip.isInRange(ip("0.0.0.0/0")) };
@id("exact-address")
forbid (principal, action, resource) when { context has ip && context.ip.isInRange(ip("203.0.113.9/32")) && context.minute <= 30 };
@id("tenant")
forbid (principal, action, resource) when { context has tenant && context.tenant != "acme" && context.environment == "production" && context.timeZone == "Europe/Berlin" };
@id("reason-is-team")
permit (principal is User, action, resource) when { principal has team && context has reason && context.reason == principal.team && context.now >= 0 };
@id("roles-attribute")
forbid (principal is User, action, resource) when { principal.roles.contains("Engineering") && resource.tags.contains("pii") };
`,
};

/**
 * Name, policies and model, calls made, and how often the whole-set oracle runs (it parses every policy and the
 * schema on each call; and each engine prepares a 100-policy set per tool and combination of roles seen: slow).
 */
const SETS: [string, () => { files: PolicyFile[]; model: AccessModel }, number, number][] = [
  ['every modelled operator and scope', () => ({ files: [COVERAGE], model: companyModel() }), 300, 1],
  ['the example company', () => ({ files: examplePolicyFiles(), model: companyModel() }), 300, 1],
  ['100 generated policies, mixed', () => ({ files: benchPolicies(100, 'mixed'), model: benchModel() }), 300, 10],
  ['100 generated policies, all on every tool', () => ({ files: benchPolicies(100, 'every-tool'), model: benchModel() }), 100, 20],
];

describe('Compiled policies decide as Cedar does, and leave to Cedar what they do not model', () => {
  it.each(SETS)(
    '%s: same decision, determining policies, reason and inputs as Cedar',
    (_name, load, samples, wholeSetEvery) => {
      const { files, model } = load();
      const source = parsePolicyFiles(files);
      const compiled = new CedarEngine({ source, model, timeZone: TIME_ZONE, decisionCacheSize: 0 });
      const byCedar = new CedarEngine({ source, model, timeZone: TIME_ZONE, decisionCacheSize: 0, compiledPolicies: false });
      const next = calls(27, Object.keys(model.tools), [...model.roles, 'Team-1', 'Team-4', 'Team-7', 'Team-13']);
      let allowed = 0;
      for (let n = 0; n < samples; n++) {
        const call = next();
        const decision = compiled.evaluate(call);
        expect(decision, JSON.stringify(call)).toEqual(byCedar.evaluate(call));
        if (n % wholeSetEvery === 0) {
          expect({ allow: decision.allow, policies: decision.policies }, JSON.stringify(call)).toEqual(wholeSetDecision(compiled, model, source.policies, call, TIME_ZONE));
        }
        if (decision.allow) allowed++;
      }
      // Both outcomes occur, and most calls were decided without Cedar (IPv6 addresses go to Cedar), so the comparison means something.
      expect(allowed).toBeGreaterThan(samples / 20);
      expect(allowed).toBeLessThan(samples - samples / 20);
      expect(compiled.answered.compiled).toBeGreaterThan(samples / 2);
      expect(compiled.answered.cedar).toBeGreaterThan(0);
      expect(byCedar.answered.compiled).toBe(0);
    },
    180_000,
  );

  it('a set with anything outside the subset is not compiled: Cedar decides every call to it', () => {
    const json = (text: string) => {
      const answer = cedar.policyToJson(text);
      if (answer.type === 'failure') throw new Error(text);
      return answer.json as PolicyJson;
    };
    const plain = json('permit (principal, action, resource) when { context.hour > 3 };');
    expect(compilePolicySet({ plain })).toBeDefined();
    for (const text of [
      'permit (principal, action, resource) when { context.reason like "urgent*" };',
      'permit (principal, action, resource) when { context.ip.isInRange(ip("2001:db8::/32")) };',
      'permit (principal, action, resource) when { context.hour + 1 > 3 };',
      'permit (principal, action, resource) when { principal == User::"alice" };',
      'permit (principal, action, resource) when { resource in Tool::"x" };',
      'permit (principal, action in [Action::"a", Action::"b"], resource);',
      'permit (principal, action, resource in Tool::"x");',
      'permit (principal, action, resource) when { context.tags.containsAny(["a"]) };',
    ]) {
      expect(compilePolicySet({ plain, other: json(text) }), text).toBeUndefined();
    }
    // A policy Cedar could not show as JSON comes as text: never compiled.
    expect(compilePolicySet({ plain, text: 'permit (principal, action, resource);' })).toBeUndefined();
  });
});

describe('IPv4 ranges as Cedar reads them', () => {
  it('isInRange and isLoopback agree with Cedar, and only canonical IPv4 text is parsed', () => {
    const next = random(99);
    const octet = () => String(Math.floor(next() * 4) * 64 + Math.floor(next() * 3));
    const address = () => `${pick(['10', '127', '198', '0', '255'])}.${octet()}.${octet()}.${octet()}`;
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
    let inRange = 0;
    for (let n = 0; n < 150; n++) {
      const a = address();
      const b = `${address()}/${pick([0, 1, 7, 8, 9, 16, 24, 31, 32])}`;
      const policies = {
        staticPolicies: {
          range: `permit (principal, action, resource) when { ip("${a}").isInRange(ip("${b}")) };`,
          loopback: `permit (principal, action, resource) when { ip("${a}").isLoopback() };`,
        },
      };
      const answer = cedar.isAuthorized({ principal: { type: 'U', id: 'u' }, action: { type: 'A', id: 'a' }, resource: { type: 'R', id: 'r' }, context: {}, entities: [], policies });
      if (answer.type === 'failure') throw new Error(a);
      const reasons = answer.response.diagnostics.reason;
      const expected = reasons.includes('range');
      if (expected) inRange++;
      expect(ipv4InRange(parseIpv4(a)!, parseIpv4(b)!), `${a} in ${b}`).toBe(expected);
      expect(ipv4IsLoopback(parseIpv4(a)!), `${a} loopback`).toBe(reasons.includes('loopback'));
    }
    expect(inRange).toBeGreaterThan(10);
    expect(inRange).toBeLessThan(140);
    for (const text of ['010.0.0.1', '1.2.3', '1.2.3.4/33', '256.0.0.1', '1.2.3.4/08', '::1', ' 1.2.3.4', '1.2.3.4/']) expect(parseIpv4(text), text).toBeUndefined();
  });
});
