/**
 * The engine hands Cedar only the policies that can apply to a call (by
 * principal type and action) and only the values they read, without the
 * schema. The oracle here is Cedar itself given everything: the whole
 * policy set, the whole request and the schema, with request validation.
 * Both must reach the same decision through the same determining policies.
 */
import { describe, expect, it } from 'vitest';
import { benchModel, benchPolicies } from '../../../../bench/lib/policy-set.ts';
import { CedarEngine, parsePolicyFiles, type AccessModel, type CedarInput, type PolicyFile } from '../../src/index.ts';
import { companyModel, examplePolicyFiles, wholeSetDecision } from './support.ts';

const TIME_ZONE = 'Europe/Berlin';
const SAMPLES = 200;

/** A seeded generator (mulberry32): the same calls on every run, varied over every input a policy here reads. */
function calls(seed: number, tools: string[], roles: string[]): () => CedarInput {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const maybe = <T>(values: readonly T[]): T | undefined => (next() < 0.25 ? undefined : pick(values));
  return () => {
    const user = next() < 0.8;
    const clientId = user ? 'https://client.example/metadata.json' : 'bot';
    const team = maybe(['Support', 'Billing']);
    return {
      principal: user
        ? { subject: 'usr_1', kind: 'user', orgId: 'org_acme', roles: roles.filter(() => next() < 0.3), scopes: ['tickets:read'], clientId }
        : { subject: 'client:bot', kind: 'service', orgId: null, roles: [], scopes: ['tickets:read'], clientId },
      userAttributes: team === undefined ? undefined : { team },
      agent: user ? { kind: 'metadata_document', name: clientId, metadataHost: 'client.example' } : { kind: 'registered', name: clientId },
      operation: { kind: 'tool', name: pick(tools) },
      // Monday 2 March 2026 00:00 Berlin, plus up to two weeks in quarter hours: every hour and weekday.
      time: Date.parse('2026-03-01T23:00:00Z') + Math.floor(next() * 14 * 96) * 900_000,
      ip: maybe(['10.1.2.3', '127.0.0.1', '203.0.113.9', '198.51.3.7', '198.51.40.1', 'not-an-ip']),
      reason: maybe(['annual review', 'frozen-0', 'frozen-3', 'frozen-12', 'frozen-48']),
      ownerTeam: maybe(['Support', 'Billing']),
    };
  };
}

/** Scopes and conditions the generated sets do not use: resource scopes, principal ids and types, roles and the action tested in conditions, the agent's attributes. */
const SCOPES_AND_CONDITIONS: PolicyFile = {
  path: 'policies/scopes.cedar',
  text: `@id("only-list-for-usr-1")
permit (principal == User::"usr_1", action, resource == Tool::"list_tickets");
@id("hr-tools")
permit (principal is User in Role::"HR", action, resource is Tool) when { action in Action::"tools" && context.hour >= 9 };
@id("no-bots-on-critical")
forbid (principal is Agent, action in Action::"tools", resource) when { resource.sensitivity == "critical" };
@id("bots-list")
permit (principal is Agent, action == Action::"tool:list_tickets", resource);
@id("support-not-at-night")
forbid (principal, action, resource) when { principal in Role::"Support" && context.hour < 6 };
@id("registered-agents-no-revenue")
forbid (principal, action == Action::"tool:revenue_report", resource) when { context.agent.kind == "registered" };
@id("management-everything")
permit (principal in Role::"Management", action, resource);
`,
};

const SETS: [string, () => { files: PolicyFile[]; model: AccessModel }][] = [
  ['the example company with more kinds of scopes and conditions', () => ({ files: [...examplePolicyFiles(), SCOPES_AND_CONDITIONS], model: companyModel() })],
  ['the example company', () => ({ files: examplePolicyFiles(), model: companyModel() })],
  ['100 generated policies, mixed', () => ({ files: benchPolicies(100, 'mixed'), model: benchModel() })],
  ['100 generated policies, all on every tool', () => ({ files: benchPolicies(100, 'every-tool'), model: benchModel() })],
];

describe('Per-part policy sets with only the values they read decide as the whole set with the schema', () => {
  it.each(SETS)('%s: same decision, same determining policies, same reason', (_name, load) => {
    const { files, model } = load();
    const source = parsePolicyFiles(files);
    const engine = new CedarEngine({ source, model, timeZone: TIME_ZONE });
    // The same policies when too many role combinations were seen: every role-scoped policy, scopes as written.
    const wholeParts = new CedarEngine({ source, model, timeZone: TIME_ZONE, maxRoleSets: 0 });
    const roles = [...model.roles, 'Team-1', 'Team-4', 'Team-7', 'Team-13'];
    const next = calls(15, Object.keys(model.tools), roles);
    let allowed = 0;
    for (let n = 0; n < SAMPLES; n++) {
      const call = next();
      const decision = engine.evaluate(call);
      const expected = wholeSetDecision(engine, model, source.policies, call, TIME_ZONE);
      if (decision.allow) allowed++;
      expect({ allow: decision.allow, policies: decision.policies }, JSON.stringify(call)).toEqual(expected);
      const fallback = wholeParts.evaluate(call);
      expect({ allow: fallback.allow, policies: fallback.policies }, JSON.stringify(call)).toEqual(expected);
      if (!decision.allow && expected.policies.length > 0) {
        const stated = expected.policies.map((id) => /@reason\("((?:[^"\\]|\\.)*)"\)/.exec(source.policies[id]!)?.[1]).find((reason) => reason !== undefined);
        if (stated !== undefined) expect(decision.reason).toBe(JSON.parse(`"${stated}"`));
      }
    }
    // Both outcomes occur, so the comparison is not between two constant answers.
    expect(allowed).toBeGreaterThan(SAMPLES / 20);
    expect(allowed).toBeLessThan(SAMPLES - SAMPLES / 20);
  });
});
