/** Roles, scopes and protected resources: the access catalogue. */
import { canonicalResourceUri, type ProtectedResource, type Role, type ScopeDefinition } from '@gatehouse-auth/core';
import { isOptionalScope, type GatehouseConfig } from './schema.ts';
import { differences, record, sorted, type Plan } from './plan.ts';

export async function applyRoles(plan: Plan, config: GatehouseConfig): Promise<void> {
  for (const entry of config.roles) {
    const desired: Role = { name: entry.name, description: entry.description, permissions: sorted(entry.permissions) };
    const current = await plan.tx.roles.get(entry.name);
    plan.nextOwned.roles.push(entry.name);
    if (!current) {
      record(plan, { op: '+', kind: 'role', name: entry.name }, { type: 'role.created', role: entry.name, actor: plan.actor });
    } else {
      const diff = differences({ ...current, permissions: sorted(current.permissions) }, desired, ['description', 'permissions']);
      if (diff.length === 0) continue;
      record(plan, { op: '~', kind: 'role', name: entry.name, detail: diff.join('; ') }, { type: 'role.updated', role: entry.name, actor: plan.actor });
    }
    if (!plan.dryRun) await plan.tx.roles.upsert(desired);
  }
}

const granting = (scope: ScopeDefinition): string[] | 'every' => (scope.allowedRoles.length === 0 ? 'every' : scope.allowedRoles);

/** Records an org scope that some role may no longer grant (apply-narrowing.ts revokes what it covered). */
function noteNarrowing(plan: Plan, current: ScopeDefinition, desired: ScopeDefinition): void {
  if (current.kind !== 'org') return;
  const before = granting(current);
  const after = desired.kind === 'org' ? granting(desired) : 'every';
  if (after === 'every') return;
  if (before !== 'every' && before.every((role) => after.includes(role))) return;
  plan.narrowed.push({ scope: current.name, before, after });
}

export async function applyScopes(plan: Plan, config: GatehouseConfig): Promise<void> {
  for (const entry of config.scopes) {
    const desired: ScopeDefinition = {
      name: entry.name,
      kind: entry.kind,
      allowedRoles: sorted(entry.allowed_roles),
      sensitivity: entry.sensitivity,
      optional: isOptionalScope(entry),
      description: entry.description,
    };
    if (entry.max_grant_lifetime_days !== undefined) desired.maxGrantLifetimeDays = entry.max_grant_lifetime_days;
    if (entry.reconsent_after_days !== undefined) desired.reconsentAfterDays = entry.reconsent_after_days;
    const current = await plan.tx.scopes.get(entry.name);
    plan.nextOwned.scopes.push(entry.name);
    if (!current) {
      record(plan, { op: '+', kind: 'scope', name: entry.name }, { type: 'scope.created', scope: entry.name, actor: plan.actor });
    } else {
      const lifetimes = (s: ScopeDefinition) => ({ maxGrantLifetimeDays: s.maxGrantLifetimeDays ?? null, reconsentAfterDays: s.reconsentAfterDays ?? null });
      const diff = differences({ ...current, allowedRoles: sorted(current.allowedRoles), ...lifetimes(current) }, { ...desired, ...lifetimes(desired) }, [
        'kind',
        'allowedRoles',
        'sensitivity',
        'optional',
        'description',
        'maxGrantLifetimeDays',
        'reconsentAfterDays',
      ]);
      if (diff.length === 0) continue;
      noteNarrowing(plan, current, desired);
      record(plan, { op: '~', kind: 'scope', name: entry.name, detail: diff.join('; ') }, { type: 'scope.updated', scope: entry.name, actor: plan.actor });
    }
    if (!plan.dryRun) await plan.tx.scopes.upsert(desired);
  }
}

export async function applyResources(plan: Plan, config: GatehouseConfig): Promise<void> {
  for (const entry of config.resources) {
    const uri = canonicalResourceUri(entry.uri) as string; // validated by checkReferences
    const current = await plan.tx.resources.get(uri);
    // Org ids by slug: applyOrgs runs first, so orgs created in this run are known.
    const organizations = sorted(entry.organizations.map((slug) => plan.orgIds.get(slug) ?? `(new org ${slug})`));
    const desired: ProtectedResource = {
      uri,
      name: entry.name,
      scopes: sorted(entry.scopes),
      organizations,
      multiTenant: entry.multi_tenant,
      operations: { tools: entry.operations?.tools ?? {}, resources: entry.operations?.resources ?? {}, prompts: entry.operations?.prompts ?? {} },
      createdAt: current?.createdAt ?? plan.now,
      updatedAt: plan.now,
    };
    plan.nextOwned.resources.push(uri);
    if (!current) {
      record(plan, { op: '+', kind: 'resource', name: uri }, { type: 'resource.created', resource: uri, actor: plan.actor });
    } else {
      const diff = differences(
        { ...current, scopes: sorted(current.scopes), organizations: sorted(current.organizations) },
        desired,
        ['name', 'scopes', 'organizations', 'multiTenant', 'operations'],
        ['operations'],
      );
      if (diff.length === 0) continue;
      record(plan, { op: '~', kind: 'resource', name: uri, detail: diff.join('; ') }, { type: 'resource.updated', resource: uri, actor: plan.actor });
    }
    if (!plan.dryRun) await plan.tx.resources.upsert(desired);
  }
}

/** Deletes catalogue entries config created earlier and the file no longer lists. */
export async function pruneCatalogue(plan: Plan): Promise<void> {
  const keep = { roles: new Set(plan.nextOwned.roles), scopes: new Set(plan.nextOwned.scopes), resources: new Set(plan.nextOwned.resources) };
  for (const uri of plan.owned.resources.filter((u) => !keep.resources.has(u))) {
    if (!(await plan.tx.resources.get(uri))) continue;
    record(plan, { op: '-', kind: 'resource', name: uri }, { type: 'resource.deleted', resource: uri, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.resources.delete(uri);
  }
  for (const name of plan.owned.scopes.filter((s) => !keep.scopes.has(s))) {
    const current = await plan.tx.scopes.get(name);
    if (!current) continue;
    if (current.kind === 'org') plan.narrowed.push({ scope: name, before: granting(current), after: 'none' });
    record(plan, { op: '-', kind: 'scope', name }, { type: 'scope.deleted', scope: name, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.scopes.delete(name);
  }
  for (const name of plan.owned.roles.filter((r) => !keep.roles.has(r))) {
    if (!(await plan.tx.roles.get(name))) continue;
    record(plan, { op: '-', kind: 'role', name }, { type: 'role.deleted', role: name, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.roles.delete(name);
  }
}
