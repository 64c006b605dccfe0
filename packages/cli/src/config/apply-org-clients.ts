/**
 * `organizations[].clients` (issue 16): the org's client policy as code. A
 * block revokes the client's tokens in that org in the same transaction as
 * the rest of the apply (clientPolicies.block), announced after commit. A
 * rule the file no longer lists is removed; pending requests (made at
 * /authorize under require_approval) are the admins' to decide, so kept.
 */
import type { ClientPolicyMode, ClientRule, ClientRuleKind } from '@gatehouse-auth/core';
import type { GatehouseConfig } from './schema.ts';
import { record, type Plan } from './plan.ts';

type Desired = { kind: ClientRuleKind; value: string; decision: 'allow' | 'block' };
const key = (rule: { kind: ClientRuleKind; value: string }): string => `${rule.kind}:${rule.value}`;

export async function applyOrgClients(plan: Plan, config: GatehouseConfig): Promise<void> {
  for (const org of config.organizations) {
    if (!org.clients) continue;
    const orgId = plan.orgIds.get(org.slug);
    if (!orgId) continue;
    const spec = org.clients;
    const mode: ClientPolicyMode = spec.require_approval ? 'approval' : spec.allow.length + spec.allow_hosts.length > 0 ? 'allowlist' : 'open';
    const desired = new Map<string, Desired>();
    for (const value of spec.allow) desired.set(`client:${value}`, { kind: 'client', value, decision: 'allow' });
    for (const value of spec.allow_hosts) desired.set(`host:${value}`, { kind: 'host', value, decision: 'allow' });
    // A block wins over an allow of the same id, as it does at enforcement.
    for (const value of spec.block) desired.set(`client:${value}`, { kind: 'client', value, decision: 'block' });
    for (const value of spec.block_hosts) desired.set(`host:${value}`, { kind: 'host', value, decision: 'block' });

    const current = (await plan.tx.orgs.get(orgId)) ? await plan.tx.clientPolicies.get(orgId) : { orgId, mode: 'open' as const, rules: [] as ClientRule[] };
    const name = org.slug;
    if (current.mode !== mode) {
      record(plan, { op: '~', kind: 'org-clients', name, detail: `mode ${current.mode} → ${mode}` }, { type: 'org.client_policy_changed', orgId, mode, actor: plan.actor });
      if (!plan.dryRun) await plan.tx.clientPolicies.setMode(orgId, mode, plan.now);
    }
    const existing = new Map(current.rules.map((rule) => [key(rule), rule]));
    for (const [id, rule] of desired) {
      if (existing.get(id)?.decision === rule.decision) continue;
      record(plan, { op: '+', kind: 'org-clients', name, detail: `${rule.decision} ${rule.kind} ${rule.value}` }, { type: 'org.client_policy_changed', orgId, rule, actor: plan.actor });
      if (plan.dryRun) continue;
      if (rule.decision === 'allow') {
        await plan.tx.clientPolicies.allow(orgId, rule, plan.now);
        continue;
      }
      const result = await plan.tx.clientPolicies.block(orgId, rule, plan.now);
      const clientId = result.clientIds.length === 1 ? result.clientIds[0] : undefined;
      if (result.tokenHashes.length > 0)
        plan.events.push({ type: 'token.revoked', tokenHashes: result.tokenHashes, reason: 'client_blocked', orgId, ...(clientId ? { clientId } : {}), actor: plan.actor });
    }
    for (const [id, rule] of existing) {
      if (desired.has(id) || rule.decision === 'pending') continue;
      record(
        plan,
        { op: '-', kind: 'org-clients', name, detail: `${rule.decision} ${rule.kind} ${rule.value}` },
        { type: 'org.client_policy_changed', orgId, rule: { kind: rule.kind, value: rule.value, decision: null }, actor: plan.actor },
      );
      if (!plan.dryRun) await plan.tx.clientPolicies.removeRule(orgId, rule);
    }
  }
}
