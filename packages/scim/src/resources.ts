/**
 * SCIM User and Group resources (RFC 7643 §4) to and from what the store
 * keeps. A user's attributes are kept as the directory sent them (so a GET
 * returns what Okta or Entra ID wrote) except what is ours to say: `id`,
 * `meta`, `groups` (read-only, from the directory's groups) and `password`,
 * which Okta may send and Gatehouse never keeps.
 */
import type { ScimGroupRecord, ScimUserRecord } from '@gatehouse-auth/store';
import { fixStringBooleans } from './patch.ts';
import { etagOf, ScimError, URN } from './wire.ts';

/** Server-owned or never-stored attributes, dropped from what a directory sends. */
const NOT_STORED = new Set(['id', 'meta', 'groups', 'password', 'username', 'externalid', 'active']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ParsedUser {
  userName: string;
  externalId: string | null;
  active: boolean;
  /** The Gatehouse account's email: the primary email, else the first, else the userName when it is an address. */
  email: string;
  /** The Gatehouse account's display name. */
  name: string;
  attributes: Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

function emailOf(body: Record<string, unknown>, userName: string): string {
  const emails = Array.isArray(body.emails) ? (body.emails as { value?: unknown; primary?: unknown }[]) : [];
  const candidates = [emails.find((e) => e?.primary === true)?.value, emails[0]?.value, userName];
  for (const candidate of candidates) {
    const value = text(candidate);
    if (value !== undefined && EMAIL.test(value)) return value.toLowerCase();
  }
  throw new ScimError(400, 'The user needs an email address: in emails, or as its userName.', 'invalidValue');
}

function displayNameOf(body: Record<string, unknown>, userName: string): string {
  const name = (typeof body.name === 'object' && body.name !== null ? body.name : {}) as Record<string, unknown>;
  const joined = [text(name.givenName), text(name.familyName)].filter((p) => p !== undefined).join(' ');
  return text(body.displayName) ?? text(name.formatted) ?? (joined || userName);
}

/** Validates a User body (create, replace, or the result of a patch). */
export function parseUser(input: Record<string, unknown>): ParsedUser {
  const body = fixStringBooleans(input) as Record<string, unknown>;
  const userName = text(body.userName);
  if (userName === undefined) throw new ScimError(400, 'userName is required.', 'invalidValue');
  if (body.externalId !== undefined && body.externalId !== null && typeof body.externalId !== 'string') throw new ScimError(400, 'externalId must be a string.', 'invalidValue');
  if (body.active !== undefined && typeof body.active !== 'boolean') throw new ScimError(400, 'active must be a boolean.', 'invalidValue');
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!NOT_STORED.has(key.toLowerCase())) attributes[key] = value;
  if (!Array.isArray(attributes.schemas)) attributes.schemas = [URN.user];
  return {
    userName,
    externalId: typeof body.externalId === 'string' ? body.externalId : null,
    active: body.active === undefined ? true : (body.active as boolean),
    email: emailOf(body, userName),
    name: displayNameOf(body, userName),
    attributes,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

export interface Locations {
  users: string;
  groups: string;
}

export function userResource(record: ScimUserRecord, groups: { id: string; displayName: string }[], at: Locations): Record<string, unknown> {
  return {
    ...record.attributes,
    schemas: record.attributes.schemas ?? [URN.user],
    id: record.userId,
    ...(record.externalId === null ? {} : { externalId: record.externalId }),
    userName: record.userName,
    active: record.active,
    groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${at.groups}/${g.id}`, type: 'direct' })),
    meta: { resourceType: 'User', created: iso(record.createdAt), lastModified: iso(record.updatedAt), location: `${at.users}/${record.userId}`, version: etagOf(record.version) },
  };
}

export interface ParsedGroup {
  displayName: string;
  externalId: string | null;
  members: string[];
}

/** Validates a Group body; members are Gatehouse user ids (the SCIM ids we gave the directory). */
export function parseGroup(body: Record<string, unknown>): ParsedGroup {
  const displayName = text(body.displayName);
  if (displayName === undefined) throw new ScimError(400, 'displayName is required.', 'invalidValue');
  if (body.externalId !== undefined && body.externalId !== null && typeof body.externalId !== 'string') throw new ScimError(400, 'externalId must be a string.', 'invalidValue');
  const raw = body.members ?? [];
  if (!Array.isArray(raw)) throw new ScimError(400, 'members must be an array.', 'invalidValue');
  const members: string[] = [];
  for (const member of raw) {
    const value = (member as { value?: unknown } | null)?.value;
    if (typeof value !== 'string' || value === '') throw new ScimError(400, 'Each member needs a string value (the user id).', 'invalidValue');
    if (!members.includes(value)) members.push(value);
  }
  return { displayName, externalId: typeof body.externalId === 'string' ? body.externalId : null, members };
}

export function groupResource(record: ScimGroupRecord, userNames: ReadonlyMap<string, string>, at: Locations): Record<string, unknown> {
  return {
    schemas: [URN.group],
    id: record.id,
    ...(record.externalId === null ? {} : { externalId: record.externalId }),
    displayName: record.displayName,
    members: record.members.map((id) => ({ value: id, display: userNames.get(id) ?? id, $ref: `${at.users}/${id}`, type: 'User' })),
    meta: { resourceType: 'Group', created: iso(record.createdAt), lastModified: iso(record.updatedAt), location: `${at.groups}/${record.id}`, version: etagOf(record.version) },
  };
}

const ALWAYS = new Set(['id', 'schemas', 'meta']);

/** RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes`, on top-level attribute names. */
export function project(resource: Record<string, unknown>, attributes: string | undefined, excluded: string | undefined): Record<string, unknown> {
  const names = (list: string | undefined) =>
    new Set(
      (list ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '')
        .map((n) => (n.slice(n.lastIndexOf(':') + 1).split('.')[0] ?? '').toLowerCase()),
    );
  const keep = names(attributes);
  const drop = names(excluded);
  return Object.fromEntries(
    Object.entries(resource).filter(([key]) => {
      const lower = key.toLowerCase();
      if (ALWAYS.has(lower)) return true;
      if (keep.size > 0) return keep.has(lower);
      return !drop.has(lower);
    }),
  );
}
