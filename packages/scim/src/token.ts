/**
 * The bearer token an org's directory presents (issue 13, item 3): 256
 * random bits, shown once, stored as its SHA-256. `create` refuses to
 * replace a token (a second IT person must not silently cut off the first
 * directory); `rotate` replaces it and the old one stops working at once.
 * The CLI (`gatehouse scim token create|rotate`), the admin API and the IT
 * setup link all call `issueScimToken`.
 */
import { randomToken, sha256, type Actor, type Clock, type EventBus } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';

/** Prefixed so secret scanners and people recognise what leaked. */
export const SCIM_TOKEN_PREFIX = 'ghscim_';

export type ScimTokenMode = 'create' | 'rotate';

export class ScimTokenExistsError extends Error {
  constructor(readonly orgId: string) {
    super('this organization already has a SCIM token: rotate it instead');
    this.name = 'ScimTokenExistsError';
  }
}

export class ScimTokenMissingError extends Error {
  constructor(readonly orgId: string) {
    super('this organization has no SCIM token yet: create one first');
    this.name = 'ScimTokenMissingError';
  }
}

export interface IssueScimTokenInput {
  store: Store;
  clock: Clock;
  /** When given, the change is announced (`org.updated`, so the audit log records who did it). */
  events?: EventBus;
  actor?: Actor;
}

/**
 * Creates (`create`: only when the org has none) or rotates (`rotate`: only
 * when it has one) the org's SCIM token; returns the token, which is never
 * stored and cannot be shown again.
 */
export async function issueScimToken(input: IssueScimTokenInput, orgId: string, mode: ScimTokenMode): Promise<{ token: string; replaced: boolean }> {
  const exists = await input.store.scim.hasToken(orgId);
  if (mode === 'create' && exists) throw new ScimTokenExistsError(orgId);
  if (mode === 'rotate' && !exists) throw new ScimTokenMissingError(orgId);
  const token = `${SCIM_TOKEN_PREFIX}${randomToken(32)}`;
  const { replaced } = await input.store.scim.setToken(orgId, sha256(token), input.clock.now());
  await input.events?.publish({ type: 'org.updated', orgId, ...(input.actor ? { actor: input.actor } : {}) });
  return { token, replaced };
}

/** The org a presented token belongs to, or undefined. */
export async function orgOfScimToken(store: Store, token: string): Promise<string | undefined> {
  if (!token.startsWith(SCIM_TOKEN_PREFIX)) return undefined;
  return store.scim.orgOfToken(sha256(token));
}
