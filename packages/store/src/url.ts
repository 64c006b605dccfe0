/**
 * Store URLs: `sqlite::memory:`, `sqlite:PATH` (relative or absolute,
 * `sqlite:///abs/path` also accepted) and `postgres://…` / `postgresql://…`
 * (an optional `?schema=NAME` selects the PostgreSQL schema).
 */
export type StoreTarget = { engine: 'sqlite'; filename: string } | { engine: 'postgres'; connectionString: string; schema: string | undefined };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function parseStoreUrl(url: string): StoreTarget {
  if (url.startsWith('sqlite:')) {
    let filename = url.slice('sqlite:'.length);
    if (filename.startsWith('//')) filename = filename.slice(2);
    if (filename === '') throw new Error('sqlite store URL needs a path or :memory: (e.g. sqlite:./gatehouse.db)');
    return { engine: 'sqlite', filename };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    if (schema !== undefined) assertSchemaName(schema);
    return { engine: 'postgres', connectionString: parsed.toString(), schema };
  }
  throw new Error(`unsupported store URL scheme (use sqlite: or postgres://): ${url.split(':')[0]}`);
}

/** Schema names go into `search_path` unquoted (which folds case): only plain lower-case identifiers. */
export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
}
