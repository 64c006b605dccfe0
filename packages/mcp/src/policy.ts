/**
 * Runtime authorization (seed 004): scopes gate the first hop, a policy
 * decides each call from the CURRENT principal, the operation and its
 * arguments, and the request context. Policies are plain functions.
 */
import type { OperationKind } from '@gatehouse-auth/core';
import type { Principal } from './principal.ts';

export type { OperationKind };

export interface Operation {
  kind: OperationKind;
  /** Tool or prompt name, or the resource URI being read. */
  name: string;
  arguments: Record<string, unknown>;
  /** The request's `_meta` (e.g. the caller's stated reason, `io.gatehouse/reason`). */
  meta?: Record<string, unknown>;
}

export interface RequestContext {
  /** Epoch milliseconds. */
  time: number;
  ip: string | undefined;
  userAgent: string | undefined;
  /** This server's canonical resource URI. */
  resource: string;
}

/**
 * Why a policy decided, for the decision log: the ids of the policies that
 * determined it and the inputs they read (e.g. a Cedar policy set).
 */
export interface DecisionBasis {
  policies?: string[];
  inputs?: Record<string, unknown>;
}

export type Decision = ({ allow: true } & DecisionBasis) | ({ allow: false; reason: string } & DecisionBasis);

export type Policy = (principal: Principal, operation: Operation, context: RequestContext) => Decision | Promise<Decision>;

export const ALLOW: Decision = { allow: true };
export const deny = (reason: string): Decision => ({ allow: false, reason });

/** All policies must allow; the first denial wins (evaluated in order). An allow keeps every policy's basis. */
export function allOf(...policies: Policy[]): Policy {
  return async (principal, operation, context) => {
    let basis: DecisionBasis | undefined;
    for (const policy of policies) {
      const decision = await policy(principal, operation, context);
      if (!decision.allow) return decision;
      if (decision.policies !== undefined || decision.inputs !== undefined)
        basis = { policies: [...(basis?.policies ?? []), ...(decision.policies ?? [])], inputs: { ...basis?.inputs, ...decision.inputs } };
    }
    return basis ? { allow: true, ...basis } : ALLOW;
  };
}

export interface TenantIsolationOptions {
  /** The argument naming the organization the call touches. */
  argument: string;
  /** Deny when the argument is absent (default false: the operation has no tenant). */
  required?: boolean;
}

/** The argument's org must equal the token's org: no cross-tenant reads or writes. */
export function tenantIsolation(options: TenantIsolationOptions): Policy {
  return (principal, operation) => {
    const value = operation.arguments[options.argument];
    if (value === undefined) return options.required ? deny(`argument ${options.argument} is required`) : ALLOW;
    if (principal.orgId === null) return deny('the token is not bound to an organization');
    if (value !== principal.orgId) return deny(`organization ${String(value)} is not the caller's organization`);
    return ALLOW;
  };
}

export interface ResourceOwnershipOptions {
  /** The argument holding the resource id. */
  argument: string;
  /** The owner's subject (user id) for a resource id; undefined when unknown. */
  ownerOf: (id: string, principal: Principal) => string | undefined | Promise<string | undefined>;
  /** Roles that may act on any resource of their organization. */
  bypassRoles?: string[];
}

/** Only the owner (or a holder of a bypass role) may act on the resource. */
export function resourceOwnership(options: ResourceOwnershipOptions): Policy {
  const bypass = new Set(options.bypassRoles ?? []);
  return async (principal, operation) => {
    const value = operation.arguments[options.argument];
    if (value === undefined) return ALLOW;
    if (principal.roles.some((role) => bypass.has(role))) return ALLOW;
    const owner = await options.ownerOf(String(value), principal);
    if (owner === undefined) return deny(`${options.argument} ${String(value)} was not found`);
    if (owner !== principal.subject) return deny(`${options.argument} ${String(value)} belongs to someone else`);
    return ALLOW;
  };
}

/** Applies a policy to the named operations only. */
export function forOperations(names: string[], policy: Policy): Policy {
  const only = new Set(names);
  return (principal, operation, context) => (only.has(operation.name) ? policy(principal, operation, context) : ALLOW);
}

/**
 * What the audit log receives for every decision: a denial when it is made,
 * an allowed operation once it has run (with its outcome and duration).
 * Defined in core, shared with the audit package.
 */
export type { DecisionRecord } from '@gatehouse-auth/core';
