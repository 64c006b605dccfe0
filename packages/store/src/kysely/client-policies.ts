/**
 * An org's client policy (migration 0009). `block` is the named atomic
 * operation: the rule and the revocation of everything the matching clients
 * hold in that org commit together, so no token minted between the two
 * survives a block.
 */
import { clientHost, openPolicy, type ClientPolicyMode, type ClientRule, type ClientRuleKind } from '@gatehouse-auth/core';
import type { Kysely } from 'kysely';
import type { OrgClientPolicyStore } from '../types.ts';
import { num } from './codec.ts';
import { inTransaction, type Db } from './context.ts';
import { deleteUnconsumedCodesWhere, revokeTokensWhere } from './revocation.ts';
import type { Database } from './schema.ts';
import { byClientInOrg } from './token-filters.ts';

async function upsertRule(db: Kysely<Database>, orgId: string, kind: ClientRuleKind, value: string, decision: ClientRule['decision'], now: number): Promise<void> {
  await db
    .insertInto('org_client_rules')
    .values({ org_id: orgId, kind, value, decision, updated_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'kind', 'value']).doUpdateSet({ decision, updated_at: now }))
    .execute();
}

/** The clients a rule names: the id itself, or every known metadata-document client on that host. */
async function clientsNamed(db: Kysely<Database>, kind: ClientRuleKind, value: string): Promise<string[]> {
  if (kind === 'client') return [value];
  const rows = await db.selectFrom('clients').select('id').where('id', 'like', 'https://%').execute();
  return rows.map((row) => row.id).filter((id) => clientHost(id) === value);
}

export function clientPolicyStore({ db }: Db): OrgClientPolicyStore {
  return {
    async get(orgId) {
      const [policy, rules] = await Promise.all([
        db.selectFrom('org_client_policies').select('mode').where('org_id', '=', orgId).executeTakeFirst(),
        db.selectFrom('org_client_rules').selectAll().where('org_id', '=', orgId).orderBy('kind').orderBy('value').execute(),
      ]);
      return {
        ...openPolicy(orgId),
        mode: (policy?.mode as ClientPolicyMode | undefined) ?? 'open',
        rules: rules.map((row) => ({ kind: row.kind as ClientRuleKind, value: row.value, decision: row.decision as ClientRule['decision'], updatedAt: num(row.updated_at) })),
      };
    },
    async setMode(orgId, mode, now) {
      await db
        .insertInto('org_client_policies')
        .values({ org_id: orgId, mode, updated_at: now })
        .onConflict((oc) => oc.column('org_id').doUpdateSet({ mode, updated_at: now }))
        .execute();
    },
    allow: (orgId, rule, now) => upsertRule(db, orgId, rule.kind, rule.value, 'allow', now),
    async removeRule(orgId, rule) {
      const result = await db.deleteFrom('org_client_rules').where('org_id', '=', orgId).where('kind', '=', rule.kind).where('value', '=', rule.value).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async addPending(orgId, clientId, now) {
      const result = await db
        .insertInto('org_client_rules')
        .values({ org_id: orgId, kind: 'client', value: clientId, decision: 'pending', updated_at: now })
        .onConflict((oc) => oc.columns(['org_id', 'kind', 'value']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    block: (orgId, rule, now) =>
      inTransaction(db, async (trx) => {
        await upsertRule(trx, orgId, rule.kind, rule.value, 'block', now);
        const clientIds = await clientsNamed(trx, rule.kind, rule.value);
        const tokenHashes: string[] = [];
        const grantIds: string[] = [];
        for (const clientId of clientIds) {
          const grants = await trx
            .updateTable('grants')
            .set({ revoked_at: now, updated_at: now })
            .where('client_id', '=', clientId)
            .where('org_id', '=', orgId)
            .where('revoked_at', 'is', null)
            .returning('id')
            .execute();
          grantIds.push(...grants.map((grant) => grant.id));
          tokenHashes.push(...(await revokeTokensWhere(trx, now, byClientInOrg(clientId, orgId))));
          await deleteUnconsumedCodesWhere(trx, (eb) => eb.and([eb('client_id', '=', clientId), eb('org_id', '=', orgId)]));
        }
        return { tokenHashes, grantIds, clientIds };
      }),
  };
}
