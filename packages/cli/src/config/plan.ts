/**
 * Shared state of one reconcile run: the changes found so far (what
 * `apply` prints), the events to publish once the transaction commits,
 * and the ownership manifest before and after.
 */
import type { Actor, GatehouseEvent } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import type { Manifest } from './ownership.ts';

export type ChangeKind = 'role' | 'scope' | 'resource' | 'org' | 'signup' | 'client' | 'user' | 'membership' | 'org-clients';

export interface Change {
  op: '+' | '~' | '-';
  kind: ChangeKind;
  name: string;
  /** What differs, e.g. `sensitivity routine → sensitive`. */
  detail?: string;
}

export interface Plan {
  tx: Store;
  now: number;
  dryRun: boolean;
  actor: Actor;
  changes: Change[];
  /** Published only after the transaction commits, never on a dry run. */
  events: GatehouseEvent[];
  owned: Manifest;
  nextOwned: Manifest;
  /** Organization ids by slug, including ones created in this run. */
  orgIds: Map<string, string>;
  /** User ids by email, including ones created in this run. */
  userIds: Map<string, string>;
  /** Org scopes whose set of granting roles shrank (or which were deleted) in this run. */
  narrowed: NarrowedScope[];
}

/** `'every'`: any role may grant it (empty allowed_roles); `'none'`: the scope is gone. */
export type GrantingRoles = string[] | 'every' | 'none';

export interface NarrowedScope {
  scope: string;
  before: GrantingRoles;
  after: GrantingRoles;
}

export const formatChange = (change: Change): string => `${change.op} ${change.kind} ${change.name}${change.detail ? ` (${change.detail})` : ''}`;

export function record(plan: Plan, change: Change, ...events: GatehouseEvent[]): void {
  plan.changes.push(change);
  plan.events.push(...events);
}

const show = (value: unknown): string => (Array.isArray(value) ? `[${value.join(', ')}]` : value === null || value === undefined ? 'none' : String(value));

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Lists the fields that differ as `field old → new`. Fields named in
 * `hidden` report only their name (secrets, password hashes).
 */
export function differences<T extends object>(current: T, desired: T, fields: (keyof T)[], hidden: (keyof T)[] = []): string[] {
  return fields
    .filter((field) => !same(current[field], desired[field]))
    .map((field) => (hidden.includes(field) ? String(field) : `${String(field)} ${show(current[field])} → ${show(desired[field])}`));
}

/** Sorted copy: role and scope lists compare as sets. */
export const sorted = (values: readonly string[]): string[] => [...new Set(values)].sort();
