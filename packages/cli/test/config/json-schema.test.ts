import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { renderJsonSchema } from '../../src/config/json-schema.ts';

describe('schema/gatehouse.schema.json', () => {
  it('equals the schema generated from the zod config schema (run `npm run schema` after changing it)', async () => {
    const committed = await readFile(new URL('../../../../schema/gatehouse.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderJsonSchema());
  });

  it('is referenced by the example config for editors', async () => {
    const example = await readFile(new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url), 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schema/gatehouse.schema.json');
  });
});
