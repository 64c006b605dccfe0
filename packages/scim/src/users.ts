/**
 * /Users (RFC 7644 §3.3–3.6): create, read, list with filter and paging,
 * replace, patch, delete. Every write ends in `syncAccess`, which applies
 * what the directory said to the person's access (access.ts).
 */
import { DuplicateError, type ScimUserRecord, type Store } from '@gatehouse-auth/store';
import { newId, type Organization, type User } from '@gatehouse-auth/core';
import { syncAccess, directoryActor, type DirectoryDeps } from './access.ts';
import { exactLookup, listResponse, parseFilter, type Page } from './filter.ts';
import { applyPatch, normalizeOperations } from './patch.ts';
import { parseUser, project, userResource, type Locations, type ParsedUser } from './resources.ts';
import { checkIfMatch, etagOf, ScimError, scimJson } from './wire.ts';

export interface ScimScope {
  deps: DirectoryDeps;
  org: Organization;
  at: Locations;
}

const MAX_WRITE_ATTEMPTS = 10;
const notFound = (): ScimError => new ScimError(404, 'No such user in this organization.');
const taken = (): ScimError => new ScimError(409, 'A user with this userName already exists in this organization.', 'uniqueness');

const groupsOf = (scope: ScimScope, userId: string) => scope.deps.store.scim.groupsOfUser(scope.org.id, userId);

async function respondWith(scope: ScimScope, record: ScimUserRecord, status = 200): Promise<Response> {
  const resource = userResource(record, await groupsOf(scope, record.userId), scope.at);
  const headers: Record<string, string> = { etag: etagOf(record.version) };
  if (status === 201) headers.location = `${scope.at.users}/${record.userId}`;
  return scimJson(resource, status, headers);
}

export async function createUser(scope: ScimScope, body: Record<string, unknown>): Promise<Response> {
  const { store, clock, events } = scope.deps;
  const parsed = parseUser(body);
  if (await store.scim.findUserByName(scope.org.id, parsed.userName)) throw taken();
  const now = clock.now();
  // An account with this email already exists (config, another org, SSO): link it; the directory does not own it.
  const existing = await store.users.getByEmail(parsed.email);
  if (existing && (await store.scim.getUser(scope.org.id, existing.id))) throw taken();
  const user: User | undefined = existing ? undefined : { id: newId('usr'), email: parsed.email, name: parsed.name, passwordHash: null, status: 'active', createdAt: now, updatedAt: now };
  const record: ScimUserRecord = {
    orgId: scope.org.id,
    userId: existing?.id ?? (user as User).id,
    userName: parsed.userName,
    externalId: parsed.externalId,
    active: parsed.active,
    ownsAccount: user !== undefined,
    attributes: parsed.attributes,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await store.transaction(async (tx) => {
      if (user) await tx.users.create(user);
      if ((await tx.scim.createUser(record)) === 'duplicate') throw taken();
    });
  } catch (error) {
    if (error instanceof DuplicateError) throw new ScimError(409, 'Another account already uses this email address.', 'uniqueness');
    throw error;
  }
  if (user) await events.publish({ type: 'user.created', userId: user.id, actor: directoryActor(scope.org) });
  await syncAccess(scope.deps, scope.org, record.userId);
  return respondWith(scope, record, 201);
}

export async function getUser(scope: ScimScope, userId: string, query: Record<string, string | undefined>): Promise<Response> {
  const record = await scope.deps.store.scim.getUser(scope.org.id, userId);
  if (!record) throw notFound();
  const resource = userResource(record, await groupsOf(scope, userId), scope.at);
  return scimJson(project(resource, query.attributes, query.excludedAttributes), 200, { etag: etagOf(record.version) });
}

export async function listUsers(scope: ScimScope, query: Record<string, string | undefined>, page: Page): Promise<Response> {
  const matches = parseFilter(query.filter);
  const { store } = scope.deps;
  // Okta and Entra ID look every person up by userName before creating them: one indexed read, not a scan.
  const byName = exactLookup(query.filter, 'userName');
  if (byName !== undefined) {
    const record = await store.scim.findUserByName(scope.org.id, byName);
    const resources = record ? [userResource(record, await groupsOf(scope, record.userId), scope.at)] : [];
    return scimJson(
      listResponse(
        resources.filter((r) => matches === undefined || matches(r)).map((r) => project(r, query.attributes, query.excludedAttributes)),
        page,
      ),
    );
  }
  const groups = await store.scim.listGroups(scope.org.id);
  const resources = (await store.scim.listUsers(scope.org.id))
    .map((record) =>
      userResource(
        record,
        groups.filter((g) => g.members.includes(record.userId)),
        scope.at,
      ),
    )
    .filter((resource) => matches === undefined || matches(resource))
    .map((resource) => project(resource, query.attributes, query.excludedAttributes));
  return scimJson(listResponse(resources, page));
}

/**
 * Writes the new state of a user with the version read, retrying on a
 * concurrent write unless the directory named a version (If-Match).
 */
async function rewrite(scope: ScimScope, userId: string, ifMatch: string | undefined, next: (current: ScimUserRecord) => Record<string, unknown>): Promise<Response> {
  const { store, clock } = scope.deps;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await store.scim.getUser(scope.org.id, userId);
    if (!current) throw notFound();
    checkIfMatch(ifMatch, current.version);
    const parsed = parseUser(next(current));
    const record: ScimUserRecord = {
      ...current,
      userName: parsed.userName,
      externalId: parsed.externalId,
      active: parsed.active,
      attributes: parsed.attributes,
      version: current.version + 1,
      updatedAt: clock.now(),
    };
    // The record and the account change together: a refused email leaves both as they were.
    const outcome = await store.transaction(async (tx) => {
      const written = await tx.scim.replaceUser(record, current.version);
      if (written === 'duplicate') throw taken();
      if (written === 'version_mismatch') return { written, renamed: false };
      return { written, renamed: await updateAccount(tx, record, parsed, clock.now()) };
    });
    if (outcome.written === 'version_mismatch') {
      if (ifMatch !== undefined) throw new ScimError(412, 'The resource changed since the version named in If-Match.');
      continue;
    }
    if (outcome.renamed) await scope.deps.events.publish({ type: 'user.updated', userId, actor: directoryActor(scope.org) });
    await syncAccess(scope.deps, scope.org, userId);
    return respondWith(scope, record);
  }
  throw new ScimError(409, 'The user kept changing; try again.');
}

/**
 * Name and email follow the directory only on accounts it created: an
 * account it merely linked (it existed before, by email) is not the
 * directory's to rename or re-address. True when the account changed.
 */
async function updateAccount(tx: Store, record: ScimUserRecord, parsed: ParsedUser, now: number): Promise<boolean> {
  if (!record.ownsAccount) return false;
  const user = await tx.users.get(record.userId);
  if (!user || (user.name === parsed.name && user.email === parsed.email)) return false;
  try {
    await tx.users.update(user.id, { name: parsed.name, email: parsed.email }, now);
  } catch (error) {
    if (error instanceof DuplicateError) throw new ScimError(409, 'Another account already uses this email address.', 'uniqueness');
    throw error;
  }
  return true;
}

export function replaceUser(scope: ScimScope, userId: string, body: Record<string, unknown>, ifMatch: string | undefined): Promise<Response> {
  return rewrite(scope, userId, ifMatch, () => body);
}

export function patchUser(scope: ScimScope, userId: string, body: Record<string, unknown>, ifMatch: string | undefined): Promise<Response> {
  const operations = normalizeOperations(body);
  return rewrite(scope, userId, ifMatch, (current) => {
    const resource = userResource(current, [], scope.at);
    const patched = applyPatch(resource, operations);
    return patched;
  });
}

export async function deleteUser(scope: ScimScope, userId: string, ifMatch: string | undefined): Promise<Response> {
  const { store } = scope.deps;
  const current = await store.scim.getUser(scope.org.id, userId);
  if (!current) throw notFound();
  checkIfMatch(ifMatch, current.version);
  await store.transaction(async (tx) => {
    await tx.scim.removeUserFromGroups(scope.org.id, userId);
    await tx.scim.deleteUser(scope.org.id, userId);
  });
  await syncAccess(scope.deps, scope.org, userId, { ownsAccount: current.ownsAccount });
  return new Response(null, { status: 204 });
}
