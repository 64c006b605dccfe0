/** `npm run schema`: regenerates schema/gatehouse.schema.json from the zod schema. */
import { writeFile } from 'node:fs/promises';
import { renderJsonSchema } from '../config/json-schema.ts';

const target = new URL('../../../../schema/gatehouse.schema.json', import.meta.url);
await writeFile(target, renderJsonSchema());
console.log(`wrote ${target.pathname}`);
