/**
 * The scope, role and resource catalogues, read on every token issuance and
 * introspection but changed only by an operator. They are cached per server
 * context and dropped on the matching events (scope.*, role.*, resource.*); the short
 * TTL bounds staleness when another process made the change and its event
 * did not reach this one.
 */
import type { ProtectedResource, Role, ScopeDefinition, Sensitivity } from '@gatehouse-auth/core';
import { highestSensitivity } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';

const TTL_MS = 5_000;

interface Catalogue {
  scopes: Map<string, ScopeDefinition>;
  roles: Map<string, Role>;
  resources: Map<string, ProtectedResource>;
  loadedAt: number;
}

interface CacheSlot {
  value: Promise<Catalogue> | undefined;
}

const slots = new WeakMap<ServerContext, CacheSlot>();

function slotFor(ctx: ServerContext): CacheSlot {
  let slot = slots.get(ctx);
  if (!slot) {
    const created: CacheSlot = { value: undefined };
    ctx.events.subscribe((event) => {
      if (event.type.startsWith('scope.') || event.type.startsWith('role.') || event.type.startsWith('resource.')) created.value = undefined;
    });
    ctx.events.onResync?.(() => (created.value = undefined));
    slots.set(ctx, created);
    slot = created;
  }
  return slot;
}

async function load(ctx: ServerContext): Promise<Catalogue> {
  const [scopes, roles, resources] = await Promise.all([ctx.store.scopes.list(), ctx.store.roles.list(), ctx.store.resources.list()]);
  return {
    scopes: new Map(scopes.map((scope) => [scope.name, scope])),
    roles: new Map(roles.map((role) => [role.name, role])),
    resources: new Map(resources.map((resource) => [resource.uri, resource])),
    loadedAt: Date.now(),
  };
}

export async function catalogue(ctx: ServerContext): Promise<Catalogue> {
  const slot = slotFor(ctx);
  const current = slot.value ? await slot.value : undefined;
  if (current && Date.now() - current.loadedAt < TTL_MS) return current;
  const next = load(ctx);
  slot.value = next;
  next.catch(() => {
    if (slot.value === next) slot.value = undefined;
  });
  return next;
}

/** Access token lifetime in seconds: the shortest that the most sensitive scope calls for. */
export async function accessTokenTtl(ctx: ServerContext, scopes: readonly string[]): Promise<number> {
  const { scopes: definitions } = await catalogue(ctx);
  const level: Sensitivity = highestSensitivity(scopes, (name) => definitions.get(name)?.sensitivity);
  return ctx.options.accessTokenTtl[level];
}

/** The union of the permissions of `roles`, in first-seen order (introspection's users_org_permissions). */
export async function permissionsOf(ctx: ServerContext, roles: readonly string[]): Promise<string[]> {
  const { roles: definitions } = await catalogue(ctx);
  const permissions = new Set<string>();
  for (const role of roles) for (const permission of definitions.get(role)?.permissions ?? []) permissions.add(permission);
  return [...permissions];
}
