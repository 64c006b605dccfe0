/** Human tables by default, JSON (one document on stdout) with --json for scripts. */

export interface OutputOptions {
  json?: boolean;
}

export type Column<T> = [header: string, value: (row: T) => unknown];

const cell = (value: unknown): string => (value === null || value === undefined ? '-' : Array.isArray(value) ? value.join(', ') || '-' : String(value));

export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map(([, value]) => cell(value(row))));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([h]) => h.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Prints rows as a table, or `json` as JSON when --json was given. */
export function printRows<T>(options: OutputOptions, rows: T[], columns: Column<T>[], json: unknown = rows): void {
  if (options.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else if (rows.length === 0) process.stdout.write('(none)\n');
  else process.stdout.write(`${table(rows, columns)}\n`);
}

/** Prints a one-line confirmation, or `json` with --json. */
export function printResult(options: OutputOptions, message: string, json: unknown): void {
  process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${message}\n`);
}

export const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
