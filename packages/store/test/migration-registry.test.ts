/**
 * Every migration file is in the registry, in name order: a migration left
 * out (as a merge once did with 0006 and 0007) never runs, and the tables it
 * creates are missing on every fresh database.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrations } from '../src/migrations/index.ts';

const folder = fileURLToPath(new URL('../src/migrations/', import.meta.url));

describe('migration registry', () => {
  it('registers every migration file of src/migrations, sorted by name', () => {
    const files = readdirSync(folder)
      .filter((name) => /^\d{4}_.+\.ts$/.test(name))
      .map((name) => name.replace(/\.ts$/, ''))
      .sort();
    expect(migrations.map((m) => m.name)).toEqual(files);
  });
});
