/** Row shapes of the enterprise sign-in tables (migration 0012). */
import type { ColumnType } from 'kysely';

type Millis = ColumnType<number | string, number, number>;
type NullableMillis = ColumnType<number | string | null, number | null, number | null>;

export interface ExternalIdentitiesTable {
  org_id: string;
  provider: string;
  subject: string;
  user_id: string;
  created_at: Millis;
  last_sign_in_at: Millis;
}

export interface OrgDomainsTable {
  org_id: string;
  name: string;
  challenge: string;
  verified_by: string | null;
  verified_at: NullableMillis;
  created_at: Millis;
}

export interface OrgSsoSettingsTable {
  org_id: string;
  group_roles: string;
  default_roles: string;
  enforce_sso: number;
  updated_at: Millis;
}

export interface OrgIdentityProvidersTable {
  org_id: string;
  id: string;
  type: string;
  source: string;
  settings: string;
  updated_at: Millis;
}

export interface SetupLinksTable {
  token_hash: string;
  org_id: string;
  created_by: string;
  created_at: Millis;
  expires_at: Millis;
  revoked_at: NullableMillis;
}
