/**
 * Hot queries compiled once and reused. Building a Kysely query (builder
 * objects, frozen operation nodes, the compiler's visit) cost about as
 * much CPU as SQLite executing it for the token endpoint's primary-key
 * reads and writes. A prepared query is built once per engine with
 * placeholder arguments, and each call only substitutes the parameters;
 * the SQL text is Kysely's own, so both engines keep their dialect.
 *
 * On SQLite the statement then runs on the connection directly when that
 * is safe (raw-sqlite.ts), with the result shape of Kysely's SQLite driver:
 * the executor's connection provider, lock and promise hops cost about as
 * much as better-sqlite3 executing a primary-key read.
 */
import type { CompiledQuery, Compilable, Kysely, QueryResult } from 'kysely';
import type { Engine } from './dialect.ts';
import { rawSqliteFor } from './raw-sqlite.ts';
import type { Database } from './schema.ts';

interface Compiled {
  sql: string;
  /** For each SQL parameter, the index of the argument it takes. */
  order: number[];
  template: CompiledQuery;
}

/** `build` must use each argument as a bound value only (never in SQL text); checked when compiling. */
export function prepared<A extends unknown[], R>(arity: number, build: (db: Kysely<Database>, ...args: A) => Compilable<R>) {
  const byEngine = new Map<Engine, Compiled>();
  const compile = (db: Kysely<Database>): Compiled => {
    const markers = Array.from({ length: arity }, (_, i) => `\u0000prepared-argument-${i}\u0000`);
    const template = build(db, ...(markers as unknown as A)).compile();
    const order = template.parameters.map((value) => markers.indexOf(value as string));
    if (order.some((index) => index < 0) || markers.some((marker) => template.sql.includes(marker))) {
      throw new Error('prepared query: an argument is not a plain bound parameter');
    }
    return { sql: template.sql, order, template };
  };
  return (db: Kysely<Database>, engine: Engine, ...args: A): Promise<QueryResult<R>> => {
    let compiled = byEngine.get(engine);
    if (!compiled) {
      compiled = compile(db);
      byEngine.set(engine, compiled);
    }
    const parameters = compiled.order.map((index) => args[index]);
    const raw = engine === 'sqlite' ? rawSqliteFor(db) : undefined;
    // Object.assign rather than a spread: Node 20's V8 makes a property added after a spread cost ~2 µs.
    if (!raw) return db.executeQuery<R>(Object.assign({}, compiled.template, { parameters }) as CompiledQuery<R>);
    try {
      return Promise.resolve(runDirect<R>(raw, compiled.sql, parameters));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

function runDirect<R>(raw: NonNullable<ReturnType<typeof rawSqliteFor>>, sql: string, parameters: unknown[]): QueryResult<R> {
  const statement = raw.prepare(sql);
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}
