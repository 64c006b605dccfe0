/**
 * The WHERE clauses of bulk token revocation, one per way of naming a set
 * of tokens. Each is written so that an index answers it (migrations 0003
 * and 0004 say which); test/token-filters.test.ts checks SQLite's plan for
 * every one of them.
 *
 * Tokens under a grant are indexed by (grant_id, family_id); only tokens
 * without a grant (client_credentials, and rows stored without one) have a
 * family_id index of their own. A family never spans grants (its tokens all
 * come from one code redemption), so naming a family takes its grant too.
 */
import type { ExpressionBuilder } from 'kysely';
import type { Database } from './schema.ts';

type Eb = ExpressionBuilder<Database, 'tokens'>;
export type TokenFilter = (eb: Eb) => ReturnType<Eb['and']>;

export interface FamilyRef {
  familyId: string;
  grantId: string | null;
}

export const byHash =
  (hash: string): TokenFilter =>
  (eb) =>
    eb.and([eb('hash', '=', hash)]);

export const byGrant =
  (grantId: string): TokenFilter =>
  (eb) =>
    eb.and([eb('grant_id', '=', grantId)]);

export const byFamily =
  ({ familyId, grantId }: FamilyRef): TokenFilter =>
  (eb) =>
    eb.and([grantId === null ? eb('grant_id', 'is', null) : eb('grant_id', '=', grantId), eb('family_id', '=', familyId)]);

export const byUser =
  (userId: string, orgId?: string): TokenFilter =>
  (eb) =>
    eb.and(orgId === undefined ? [eb('user_id', '=', userId)] : [eb('user_id', '=', userId), eb('org_id', '=', orgId)]);

export const byClient =
  (clientId: string): TokenFilter =>
  (eb) =>
    eb.and([eb('client_id', '=', clientId)]);

/** A client's tokens in one org (an org blocking the client): tokens_client_idx narrows to the client, org_id filters. */
export const byClientInOrg =
  (clientId: string, orgId: string): TokenFilter =>
  (eb) =>
    eb.and([eb('client_id', '=', clientId), eb('org_id', '=', orgId)]);
