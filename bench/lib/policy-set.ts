/**
 * The policy set `npm run bench policy` measures: the example company's
 * five policies plus generated ones up to 100, shaped like what security
 * teams write (role permits with hour and sensitivity conditions, reason
 * freezes, network blocks) over a server of 40 tools.
 *
 * - `mixed` (the headline): a quarter of the generated policies apply to
 *   every tool (`action in Action::"tools"`), the rest each to one tool.
 * - `every-tool` (the worst case): every generated policy applies to every
 *   tool, so each call evaluates all 100.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AccessModel, PolicyFile } from '@gatehouse-auth/policy';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../examples/internal-company/policies');

export const BENCH_TOOLS = ['list_tickets', 'update_ticket', 'employee_information_private', 'revenue_report'];
const ALL_TOOLS = [...BENCH_TOOLS, ...Array.from({ length: 36 }, (_, i) => `tool_${i}`)];

export function benchModel(): AccessModel {
  const tool = (sensitivity: 'routine' | 'sensitive' | 'critical') => ({ sensitivity, tags: [] });
  return {
    roles: ['Management', 'HR', 'Engineering', 'Support'],
    tools: {
      ...Object.fromEntries(ALL_TOOLS.map((name, i) => [name, tool(i % 3 === 0 ? 'routine' : 'sensitive')])),
      list_tickets: tool('routine'),
      update_ticket: tool('sensitive'),
      employee_information_private: tool('critical'),
      revenue_report: tool('critical'),
    },
    resources: {},
    prompts: {},
    userAttributes: { team: 'String' },
  };
}

export type PolicyShape = 'mixed' | 'every-tool';

export function benchPolicies(total = 100, shape: PolicyShape = 'mixed'): PolicyFile[] {
  const files: PolicyFile[] = readdirSync(EXAMPLE)
    .filter((name) => name.endsWith('.cedar'))
    .sort()
    .map((name) => ({ path: `examples/internal-company/policies/${name}`, text: readFileSync(join(EXAMPLE, name), 'utf8') }));
  const existing = files.reduce((n, file) => n + (file.text.match(/@id\(/g)?.length ?? 0), 0);
  // The bench's tokens include a service agent's (client credentials): agents may call routine tools.
  const generated: string[] = ['@id("agents-use-routine-tools")\npermit (principal is Agent, action in Action::"tools", resource)\nwhen { resource.sensitivity == "routine" };'];
  for (let i = 0; generated.length < total - existing; i++) {
    const scope = shape === 'every-tool' || i % 4 === 0 ? 'action in Action::"tools"' : `action == Action::"tool:${ALL_TOOLS[i % ALL_TOOLS.length]}"`;
    switch (i % 3) {
      case 0:
        generated.push(`@id("gen-${i}-freeze")\nforbid (principal, ${scope}, resource)\nwhen { context has reason && context.reason == "frozen-${i}" };`);
        break;
      case 1:
        generated.push(
          `@id("gen-${i}-team")\npermit (principal is User in Role::"Team-${i}", ${scope}, resource)\nwhen { context.hour >= 8 && context.hour < 20 && resource.sensitivity != "critical" };`,
        );
        break;
      default:
        generated.push(`@id("gen-${i}-network")\nforbid (principal, ${scope}, resource)\nwhen { context has ip && context.ip.isInRange(ip("198.51.${i % 256}.0/24")) };`);
    }
  }
  files.push({ path: 'bench/generated.cedar', text: `${generated.join('\n\n')}\n` });
  return files;
}

export interface BenchUser {
  subject: string;
  roles: string[];
  /** The directory's team (`principal.team`). */
  team: string;
}

const TEAMS = ['Support', 'Billing', 'Engineering', 'Sales', 'Finance', 'People'];

/**
 * A company's users as the bench's callers: `size` users, each with one or two of the model's roles and often a
 * `Team-N` role the generated policies name, and a team; the same population on every run (seeded).
 */
export function benchPopulation(size = 1_000): BenchUser[] {
  let state = 20_260_302;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 4_294_967_296;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const roles = benchModel().roles;
  return Array.from({ length: size }, (_, i) => {
    const held = new Set([pick(roles)]);
    if (next() < 0.3) held.add(pick(roles));
    if (next() < 0.6) held.add(`Team-${Math.floor(next() * 100)}`);
    return { subject: `usr_${String(i).padStart(4, '0')}`, roles: [...held], team: pick(TEAMS) };
  });
}
