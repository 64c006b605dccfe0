/**
 * What an organization's SCIM directory pushed (issue 13, item 3), as the
 * SCIM package reads and writes it. Named operations only: the SCIM
 * protocol code never sees SQL. Writes that replace a resource take the
 * version the caller read and succeed only if it is still current (the
 * resource's ETag, RFC 7644 §3.14), so two directory writes never silently
 * overwrite each other.
 */

/** A Gatehouse user as one org's directory knows them. */
export interface ScimUserRecord {
  orgId: string;
  userId: string;
  /** The directory's unique name for the person (usually the email); unique per org, case-insensitively. */
  userName: string;
  /** The directory's own id for the person. */
  externalId: string | null;
  /** The directory's `active`: false means deprovisioned in this org. */
  active: boolean;
  /** The directory created the Gatehouse account (it did not exist before): deprovisioning may disable it. */
  ownsAccount: boolean;
  /** The SCIM attributes the directory sent (name, emails, extensions…), returned as sent. */
  attributes: Record<string, unknown>;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface ScimGroupRecord {
  id: string;
  orgId: string;
  displayName: string;
  externalId: string | null;
  /** Gatehouse user ids of the members. */
  members: string[];
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type ScimWriteResult = 'written' | 'version_mismatch' | 'duplicate';

export interface ScimDirectoryStore {
  getUser(orgId: string, userId: string): Promise<ScimUserRecord | undefined>;
  /** By userName, compared case-insensitively. */
  findUserByName(orgId: string, userName: string): Promise<ScimUserRecord | undefined>;
  listUsers(orgId: string): Promise<ScimUserRecord[]>;
  /** Inserts; `duplicate` when the org already has this user or this userName. */
  createUser(record: ScimUserRecord): Promise<ScimWriteResult>;
  /** Replaces the record if its stored version is `expectedVersion`; stores `record.version`. */
  replaceUser(record: ScimUserRecord, expectedVersion: number): Promise<ScimWriteResult>;
  deleteUser(orgId: string, userId: string): Promise<boolean>;

  getGroup(orgId: string, groupId: string): Promise<ScimGroupRecord | undefined>;
  listGroups(orgId: string): Promise<ScimGroupRecord[]>;
  /** By displayName, exactly (group names map to roles and compare exactly). */
  findGroupByName(orgId: string, displayName: string): Promise<ScimGroupRecord | undefined>;
  /** Inserts with its members; `duplicate` when the org has a group of that displayName. */
  createGroup(record: ScimGroupRecord): Promise<ScimWriteResult>;
  /** Replaces name, externalId and members if the stored version is `expectedVersion`. */
  replaceGroup(record: ScimGroupRecord, expectedVersion: number): Promise<ScimWriteResult>;
  deleteGroup(orgId: string, groupId: string): Promise<boolean>;
  /** The org's groups the user is a member of (id and display name), sorted by display name. */
  groupsOfUser(orgId: string, userId: string): Promise<{ id: string; displayName: string }[]>;
  /** Removes the user from every group of the org (each such group's version goes up); returns the ids of the groups they left. */
  removeUserFromGroups(orgId: string, userId: string): Promise<string[]>;

  /** Sets the org's SCIM token hash (creating or replacing it); returns whether one existed. */
  setToken(orgId: string, tokenHash: string, now: number): Promise<{ replaced: boolean }>;
  hasToken(orgId: string): Promise<boolean>;
  /** The org a token hash belongs to. */
  orgOfToken(tokenHash: string): Promise<string | undefined>;

  /**
   * Narrows a grant to `scopes` and revokes every token issued under it (a
   * token cannot lose a scope in place), in one transaction; with no scopes
   * left the grant itself is revoked. Returns the revoked token hashes.
   */
  narrowGrant(grantId: string, scopes: string[], now: number): Promise<{ tokenHashes: string[]; grantRevoked: boolean }>;
}
