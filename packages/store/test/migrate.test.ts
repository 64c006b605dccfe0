import { describe, expect, it } from 'vitest';
import { isOtherSchemaDropped } from '../src/migrate.ts';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('migrations racing DDL on other PostgreSQL schemas', () => {
  it("runs again when Kysely's introspection of every schema met one that another client dropped", () => {
    expect(isOtherSchemaDropped(pgError('3F000', 'schema "gh_test_106b3cf24590" does not exist'), 'gh_test_aaaaaaaaaaaa')).toBe(true);
    expect(isOtherSchemaDropped(pgError('3F000', 'schema "tenant_b" does not exist'), undefined)).toBe(true);
    // Seen in CI: another test run dropped its schema while this one's migrator introspected every table.
    expect(isOtherSchemaDropped(pgError('42P01', 'relation "gh_test_bc940e755435.kysely_migration" does not exist'), 'gh_ops_aaaaaaaaaa')).toBe(true);
  });

  it('does not retry when the missing schema is our own, nor any other failure', () => {
    expect(isOtherSchemaDropped(pgError('3F000', 'schema "gh_test_aaaaaaaaaaaa" does not exist'), 'gh_test_aaaaaaaaaaaa')).toBe(false);
    expect(isOtherSchemaDropped(pgError('3F000', 'schema "public" does not exist'), undefined)).toBe(false);
    expect(isOtherSchemaDropped(pgError('42P07', 'relation "users" already exists'), 'gh_test_aaaaaaaaaaaa')).toBe(false);
    expect(isOtherSchemaDropped(pgError('42P01', 'relation "gh_test_aaaaaaaaaaaa.users" does not exist'), 'gh_test_aaaaaaaaaaaa')).toBe(false);
    expect(isOtherSchemaDropped(pgError('42P01', 'relation "users" does not exist'), 'gh_test_aaaaaaaaaaaa')).toBe(false);
    expect(isOtherSchemaDropped(pgError('42P01', 'relation "public.users" does not exist'), undefined)).toBe(false);
    expect(isOtherSchemaDropped(undefined, 'gh_test_aaaaaaaaaaaa')).toBe(false);
  });
});
