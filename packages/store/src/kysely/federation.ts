/** Enterprise sign-in records (migration 0012); see federation-types.ts. */
import type { Selectable } from 'kysely';
import type { DomainVerification, ExternalIdentity, FederationStore, IdentityProviderSource, OrgDomain, SetupLink, StoredIdentityProvider } from '../federation-types.ts';
import { DuplicateError } from '../types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import type { Db } from './context.ts';
import { isUniqueViolation } from './dialect.ts';
import type { ExternalIdentitiesTable, OrgDomainsTable, OrgIdentityProvidersTable, SetupLinksTable } from './federation-schema.ts';

const toIdentity = (row: Selectable<ExternalIdentitiesTable>): ExternalIdentity => ({
  orgId: row.org_id,
  provider: row.provider,
  subject: row.subject,
  userId: row.user_id,
  createdAt: num(row.created_at),
  lastSignInAt: num(row.last_sign_in_at),
});

const toDomain = (row: Selectable<OrgDomainsTable>): OrgDomain => ({
  orgId: row.org_id,
  name: row.name,
  challenge: row.challenge,
  verifiedBy: row.verified_by as DomainVerification | null,
  verifiedAt: numOrNull(row.verified_at),
  createdAt: num(row.created_at),
});

const toProvider = (row: Selectable<OrgIdentityProvidersTable>): StoredIdentityProvider => ({
  orgId: row.org_id,
  id: row.id,
  type: row.type,
  source: row.source as IdentityProviderSource,
  settings: fromJson<Record<string, unknown>>(row.settings, {}),
  updatedAt: num(row.updated_at),
});

const toSetupLink = (row: Selectable<SetupLinksTable>): SetupLink => ({
  tokenHash: row.token_hash,
  orgId: row.org_id,
  createdBy: row.created_by,
  createdAt: num(row.created_at),
  expiresAt: num(row.expires_at),
  revokedAt: numOrNull(row.revoked_at),
});

export function federationStore({ db }: Db): FederationStore {
  return {
    async findIdentity(orgId, provider, subject) {
      const row = await db.selectFrom('external_identities').selectAll().where('org_id', '=', orgId).where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
      return row && toIdentity(row);
    },
    async linkIdentity(identity) {
      try {
        await db
          .insertInto('external_identities')
          .values({
            org_id: identity.orgId,
            provider: identity.provider,
            subject: identity.subject,
            user_id: identity.userId,
            created_at: identity.createdAt,
            last_sign_in_at: identity.lastSignInAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError(`identity ${identity.provider}/${identity.subject} in org ${identity.orgId}`);
        throw error;
      }
    },
    async touchIdentity(orgId, provider, subject, now) {
      await db.updateTable('external_identities').set({ last_sign_in_at: now }).where('org_id', '=', orgId).where('provider', '=', provider).where('subject', '=', subject).execute();
    },
    async listIdentitiesOfUser(userId) {
      const rows = await db.selectFrom('external_identities').selectAll().where('user_id', '=', userId).orderBy('org_id').orderBy('provider').orderBy('subject').execute();
      return rows.map(toIdentity);
    },

    async putDomain(domain) {
      const values = {
        org_id: domain.orgId,
        name: domain.name.toLowerCase(),
        challenge: domain.challenge,
        verified_by: domain.verifiedBy,
        verified_at: domain.verifiedAt,
        created_at: domain.createdAt,
      };
      await db
        .insertInto('org_domains')
        .values(values)
        .onConflict((oc) => oc.columns(['org_id', 'name']).doUpdateSet({ challenge: values.challenge, verified_by: values.verified_by, verified_at: values.verified_at }))
        .execute();
    },
    async getDomain(orgId, name) {
      const row = await db.selectFrom('org_domains').selectAll().where('org_id', '=', orgId).where('name', '=', name.toLowerCase()).executeTakeFirst();
      return row && toDomain(row);
    },
    async listDomains(orgId) {
      const rows = await db.selectFrom('org_domains').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
      return rows.map(toDomain);
    },
    async removeDomain(orgId, name) {
      const result = await db.deleteFrom('org_domains').where('org_id', '=', orgId).where('name', '=', name.toLowerCase()).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async verifiedDomain(name) {
      const row = await db
        .selectFrom('org_domains')
        .selectAll()
        .where('name', '=', name.toLowerCase())
        .where('verified_at', 'is not', null)
        .orderBy('verified_at')
        .orderBy('org_id')
        .limit(1)
        .executeTakeFirst();
      return row && toDomain(row);
    },

    async getSettings(orgId) {
      const row = await db.selectFrom('org_sso_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
      if (!row) return { orgId, groupRoles: {}, defaultRoles: [], enforceSso: false, updatedAt: 0 };
      return {
        orgId,
        groupRoles: fromJson<Record<string, string[]>>(row.group_roles, {}),
        defaultRoles: fromJson<string[]>(row.default_roles, []),
        enforceSso: Number(row.enforce_sso) === 1,
        updatedAt: num(row.updated_at),
      };
    },
    async putSettings(settings) {
      const values = {
        org_id: settings.orgId,
        group_roles: toJson(settings.groupRoles),
        default_roles: toJson(settings.defaultRoles),
        enforce_sso: settings.enforceSso ? 1 : 0,
        updated_at: settings.updatedAt,
      };
      await db
        .insertInto('org_sso_settings')
        .values(values)
        .onConflict((oc) => oc.column('org_id').doUpdateSet({ group_roles: values.group_roles, default_roles: values.default_roles, enforce_sso: values.enforce_sso, updated_at: values.updated_at }))
        .execute();
    },

    async putProvider(provider) {
      const values = { org_id: provider.orgId, id: provider.id, type: provider.type, source: provider.source, settings: toJson(provider.settings), updated_at: provider.updatedAt };
      await db
        .insertInto('org_identity_providers')
        .values(values)
        .onConflict((oc) => oc.columns(['org_id', 'id']).doUpdateSet({ type: values.type, source: values.source, settings: values.settings, updated_at: values.updated_at }))
        .execute();
    },
    async getProvider(orgId, id) {
      const row = await db.selectFrom('org_identity_providers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row && toProvider(row);
    },
    async listProviders(orgId) {
      const rows = await db.selectFrom('org_identity_providers').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
      return rows.map(toProvider);
    },
    async removeProvider(orgId, id) {
      const result = await db.deleteFrom('org_identity_providers').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async createSetupLink(link) {
      await db
        .insertInto('setup_links')
        .values({ token_hash: link.tokenHash, org_id: link.orgId, created_by: link.createdBy, created_at: link.createdAt, expires_at: link.expiresAt, revoked_at: link.revokedAt })
        .execute();
    },
    async getSetupLink(tokenHash) {
      const row = await db.selectFrom('setup_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toSetupLink(row);
    },
    async listSetupLinks(orgId) {
      const rows = await db.selectFrom('setup_links').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute();
      return rows.map(toSetupLink);
    },
    async revokeSetupLinks(orgId, now) {
      const result = await db.updateTable('setup_links').set({ revoked_at: now }).where('org_id', '=', orgId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
