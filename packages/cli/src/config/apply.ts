/**
 * Reconciles the store with gatehouse.yaml: computes what differs, writes
 * it in one transaction, then announces it. Only what config created is
 * ever deleted (see ownership.ts). Applying the same file twice reports and
 * performs zero changes.
 */
import { systemClock, type Actor, type Clock, type EventBus } from '@gatehouse-auth/core';
import { DuplicateError } from '@gatehouse-auth/store';
import type { Store } from '@gatehouse-auth/store';
import type { GatehouseConfig } from './schema.ts';
import { emptyManifest, readManifest, sameManifest, writeManifest } from './ownership.ts';
import type { Change, Plan } from './plan.ts';
import { applyResources, applyRoles, applyScopes, pruneCatalogue } from './apply-catalogue.ts';
import { applyOrgs, applySignup, releaseOrgs } from './apply-orgs.ts';
import { applyOrgClients } from './apply-org-clients.ts';
import { applyOrgSso } from './apply-org-sso.ts';
import { applyClients, pruneClients } from './apply-clients.ts';
import { applyUsers, pruneUsers } from './apply-users.ts';
import { revokeNarrowedScopes } from './apply-narrowing.ts';

export interface ApplyOptions {
  /** Report what would change; write nothing, publish nothing. */
  dryRun?: boolean;
  events?: EventBus;
  clock?: Clock;
  actor?: Actor;
}

export interface ApplyResult {
  changes: Change[];
  dryRun: boolean;
}

export async function apply(store: Store, config: GatehouseConfig, options: ApplyOptions = {}): Promise<ApplyResult> {
  const dryRun = options.dryRun ?? false;
  const now = (options.clock ?? systemClock).now();
  const actor = options.actor ?? { kind: 'operator', id: 'config' };

  const reconcile = () =>
    store.transaction(async (tx) => {
      const plan: Plan = { tx, now, dryRun, actor, changes: [], events: [], owned: await readManifest(tx, now), nextOwned: emptyManifest(), orgIds: new Map(), userIds: new Map(), narrowed: [] };
      // Creations and updates in dependency order, then deletions in reverse.
      await applyRoles(plan, config);
      await applyScopes(plan, config);
      // Orgs before resources: a resource names the orgs it serves by id.
      await applyOrgs(plan, config);
      await applyResources(plan, config);
      await applySignup(plan, config);
      await applyClients(plan, config);
      await applyOrgClients(plan, config);
      await applyOrgSso(plan, config);
      await applyUsers(plan, config);
      await pruneUsers(plan);
      await pruneClients(plan);
      await pruneCatalogue(plan);
      releaseOrgs(plan);
      await revokeNarrowedScopes(plan);
      if (!dryRun && !sameManifest(plan.owned, plan.nextOwned)) await writeManifest(tx, plan.nextOwned);
      return plan;
    });
  const plan = await withConflictRetry(reconcile);

  if (!dryRun && plan.changes.length > 0 && options.events) {
    for (const event of plan.events) await options.events.publish(event);
    await options.events.publish({ type: 'config.applied', changes: plan.changes.length, actor });
  }
  return { changes: plan.changes, dryRun };
}

/**
 * Replicas behind a load balancer apply the same file as they start. Two
 * transactions creating the same organization or user collide on a unique
 * key; the loser rolls back whole, and a second attempt sees the winner's
 * rows and finds (nearly) nothing left to do.
 */
async function withConflictRetry<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const conflict = error instanceof DuplicateError || code === '23505' || code === '40001' || code === '40P01';
      if (!conflict || attempt >= attempts) throw error;
    }
  }
}
