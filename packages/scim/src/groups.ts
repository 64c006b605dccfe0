/**
 * /Groups (RFC 7644 §3.3–3.6). A group's members are users this org's
 * directory provisioned; its displayName is what the org's
 * `directory.group_roles` maps to roles. After each write, every person
 * whose groups changed (all members, when the group is renamed or deleted)
 * gets their access synced (access.ts): a lost role narrows or revokes at once.
 */
import { newId } from '@gatehouse-auth/core';
import type { ScimGroupRecord } from '@gatehouse-auth/store';
import { syncAccess } from './access.ts';
import { exactLookup, listResponse, parseFilter, type Page } from './filter.ts';
import { applyPatch, normalizeOperations } from './patch.ts';
import { groupResource, parseGroup, project, type ParsedGroup } from './resources.ts';
import type { ScimScope } from './users.ts';
import { checkIfMatch, etagOf, ScimError, scimJson } from './wire.ts';

const MAX_WRITE_ATTEMPTS = 10;
const notFound = (): ScimError => new ScimError(404, 'No such group in this organization.');
const taken = (): ScimError => new ScimError(409, 'A group with this displayName already exists in this organization.', 'uniqueness');

async function userNames(scope: ScimScope): Promise<Map<string, string>> {
  return new Map((await scope.deps.store.scim.listUsers(scope.org.id)).map((u) => [u.userId, u.userName]));
}

/** Members must be users this directory provisioned in this org. */
function checkMembers(parsed: ParsedGroup, known: ReadonlyMap<string, string>): void {
  const unknown = parsed.members.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new ScimError(400, `Not a user of this organization's directory: ${unknown.slice(0, 5).join(', ')}.`, 'invalidValue');
}

async function respondWith(scope: ScimScope, record: ScimGroupRecord, status = 200, names?: Map<string, string>): Promise<Response> {
  const resource = groupResource(record, names ?? (await userNames(scope)), scope.at);
  const headers: Record<string, string> = { etag: etagOf(record.version) };
  if (status === 201) headers.location = `${scope.at.groups}/${record.id}`;
  return scimJson(resource, status, headers);
}

async function syncMembers(scope: ScimScope, userIds: Iterable<string>): Promise<void> {
  for (const userId of new Set(userIds)) await syncAccess(scope.deps, scope.org, userId);
}

export async function createGroup(scope: ScimScope, body: Record<string, unknown>): Promise<Response> {
  const parsed = parseGroup(body);
  const names = await userNames(scope);
  checkMembers(parsed, names);
  const now = scope.deps.clock.now();
  const record: ScimGroupRecord = { id: newId('grp'), orgId: scope.org.id, ...parsed, version: 1, createdAt: now, updatedAt: now };
  if ((await scope.deps.store.scim.createGroup(record)) === 'duplicate') throw taken();
  await syncMembers(scope, record.members);
  return respondWith(scope, record, 201, names);
}

export async function getGroup(scope: ScimScope, groupId: string, query: Record<string, string | undefined>): Promise<Response> {
  const record = await scope.deps.store.scim.getGroup(scope.org.id, groupId);
  if (!record) throw notFound();
  const resource = groupResource(record, await userNames(scope), scope.at);
  return scimJson(project(resource, query.attributes, query.excludedAttributes), 200, { etag: etagOf(record.version) });
}

export async function listGroups(scope: ScimScope, query: Record<string, string | undefined>, page: Page): Promise<Response> {
  const matches = parseFilter(query.filter);
  const names = await userNames(scope);
  // Entra ID looks groups up by displayName: one indexed read. Names compare exactly (they map to roles),
  // so a lookup in another case falls through to the scan, which compares as the filter says.
  const byName = exactLookup(query.filter, 'displayName');
  const found = byName === undefined ? undefined : await scope.deps.store.scim.findGroupByName(scope.org.id, byName);
  const records = found ? [found] : await scope.deps.store.scim.listGroups(scope.org.id);
  const resources = records
    .map((record) => groupResource(record, names, scope.at))
    .filter((resource) => matches === undefined || matches(resource))
    .map((resource) => project(resource, query.attributes, query.excludedAttributes));
  return scimJson(listResponse(resources, page));
}

async function rewrite(scope: ScimScope, groupId: string, ifMatch: string | undefined, next: (current: ScimGroupRecord, names: Map<string, string>) => Record<string, unknown>): Promise<Response> {
  const { store, clock } = scope.deps;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await store.scim.getGroup(scope.org.id, groupId);
    if (!current) throw notFound();
    checkIfMatch(ifMatch, current.version);
    const names = await userNames(scope);
    const parsed = parseGroup(next(current, names));
    checkMembers(parsed, names);
    const record: ScimGroupRecord = { ...current, ...parsed, version: current.version + 1, updatedAt: clock.now() };
    const written = await store.scim.replaceGroup(record, current.version);
    if (written === 'duplicate') throw taken();
    if (written === 'version_mismatch') {
      if (ifMatch !== undefined) throw new ScimError(412, 'The resource changed since the version named in If-Match.');
      continue;
    }
    const renamed = current.displayName !== record.displayName;
    const changed = renamed
      ? [...current.members, ...record.members]
      : [...current.members.filter((id) => !record.members.includes(id)), ...record.members.filter((id) => !current.members.includes(id))];
    await syncMembers(scope, changed);
    return respondWith(scope, record, 200, names);
  }
  throw new ScimError(409, 'The group kept changing; try again.');
}

export function replaceGroup(scope: ScimScope, groupId: string, body: Record<string, unknown>, ifMatch: string | undefined): Promise<Response> {
  return rewrite(scope, groupId, ifMatch, () => body);
}

export function patchGroup(scope: ScimScope, groupId: string, body: Record<string, unknown>, ifMatch: string | undefined): Promise<Response> {
  const operations = normalizeOperations(body);
  return rewrite(scope, groupId, ifMatch, (current, names) => applyPatch(groupResource(current, names, scope.at), operations));
}

export async function deleteGroup(scope: ScimScope, groupId: string, ifMatch: string | undefined): Promise<Response> {
  const current = await scope.deps.store.scim.getGroup(scope.org.id, groupId);
  if (!current) throw notFound();
  checkIfMatch(ifMatch, current.version);
  await scope.deps.store.scim.deleteGroup(scope.org.id, groupId);
  await syncMembers(scope, current.members);
  return new Response(null, { status: 204 });
}
