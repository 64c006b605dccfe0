/** Organizations and the signup policy. */
import { newId, type Organization, type SignupPolicy } from '@gatehouse-auth/core';
import type { GatehouseConfig } from './schema.ts';
import { differences, record, sorted, type Plan } from './plan.ts';

export async function applyOrgs(plan: Plan, config: GatehouseConfig): Promise<void> {
  for (const entry of config.organizations) {
    const current = await plan.tx.orgs.getBySlug(entry.slug);
    plan.nextOwned.orgs.push(entry.slug);
    if (!current) {
      const org: Organization = {
        id: newId('org'),
        slug: entry.slug,
        name: entry.name,
        auditRetentionDays: entry.audit_retention_days,
        createdAt: plan.now,
        updatedAt: plan.now,
      };
      plan.orgIds.set(entry.slug, org.id);
      record(plan, { op: '+', kind: 'org', name: entry.slug }, { type: 'org.created', orgId: org.id, actor: plan.actor });
      if (!plan.dryRun) await plan.tx.orgs.create(org);
      continue;
    }
    plan.orgIds.set(entry.slug, current.id);
    const desired = { ...current, name: entry.name, auditRetentionDays: entry.audit_retention_days };
    const diff = differences(current, desired, ['name', 'auditRetentionDays']);
    if (diff.length === 0) continue;
    record(plan, { op: '~', kind: 'org', name: entry.slug, detail: diff.join('; ') }, { type: 'org.updated', orgId: current.id, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.orgs.update(current.id, { name: desired.name, auditRetentionDays: desired.auditRetentionDays }, plan.now);
  }
}

/**
 * Organizations hold members, grants and audit history, and the store has
 * no delete for them: one that leaves the file is released from config
 * ownership (reported) and kept.
 */
export function releaseOrgs(plan: Plan): void {
  const keep = new Set(plan.nextOwned.orgs);
  for (const slug of plan.owned.orgs.filter((s) => !keep.has(s))) {
    record(plan, { op: '-', kind: 'org', name: slug, detail: 'no longer managed by config; organizations are kept, not deleted' });
  }
}

export async function applySignup(plan: Plan, config: GatehouseConfig): Promise<void> {
  const desired: SignupPolicy = { publicSignup: config.signup.public, allowedEmailDomains: sorted(config.signup.allowed_email_domains.map((d) => d.toLowerCase())) };
  const current = await plan.tx.settings.getSignupPolicy();
  const diff = differences({ ...current, allowedEmailDomains: sorted(current.allowedEmailDomains) }, desired, ['publicSignup', 'allowedEmailDomains']);
  if (diff.length === 0) return;
  record(plan, { op: '~', kind: 'signup', name: 'policy', detail: diff.join('; ') });
  if (!plan.dryRun) await plan.tx.settings.setSignupPolicy(desired);
}
