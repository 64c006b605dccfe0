import { describe, expect, it } from 'vitest';
import { parseStoreUrl } from '@gatehouse-auth/store';

describe('store URLs', () => {
  it('reads sqlite::memory:, relative, absolute and triple-slash SQLite paths', () => {
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ engine: 'sqlite', filename: ':memory:' });
    expect(parseStoreUrl('sqlite:./data/gh.db')).toEqual({ engine: 'sqlite', filename: './data/gh.db' });
    expect(parseStoreUrl('sqlite:/var/lib/gh.db')).toEqual({ engine: 'sqlite', filename: '/var/lib/gh.db' });
    expect(parseStoreUrl('sqlite:///var/lib/gh.db')).toEqual({ engine: 'sqlite', filename: '/var/lib/gh.db' });
  });

  it('rejects sqlite: without a path', () => {
    expect(() => parseStoreUrl('sqlite:')).toThrow(/needs a path/);
  });

  it('takes the PostgreSQL schema from ?schema= and leaves it out of the connection string', () => {
    expect(parseStoreUrl('postgres://u@db:5432/gh?schema=tenant_1&sslmode=require')).toEqual({
      engine: 'postgres',
      connectionString: 'postgres://u@db:5432/gh?sslmode=require',
      schema: 'tenant_1',
    });
    expect(parseStoreUrl('postgresql://db/gh')).toEqual({ engine: 'postgres', connectionString: 'postgresql://db/gh', schema: undefined });
  });

  it('rejects a schema that is not a plain identifier and an unknown scheme', () => {
    expect(() => parseStoreUrl('postgres://db/gh?schema=a-b')).toThrow(/invalid PostgreSQL schema/);
    expect(() => parseStoreUrl('mysql://db/gh')).toThrow(/unsupported store URL scheme/);
  });
});
