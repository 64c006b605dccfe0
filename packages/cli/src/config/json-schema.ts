/**
 * The JSON Schema editors use for gatehouse.yaml (via the
 * `# yaml-language-server: $schema=` line), generated from the zod schema
 * so the two cannot drift; a test compares it with the committed file.
 */
import { z } from 'zod';
import { configSchema } from './schema.ts';

export function gatehouseJsonSchema(): Record<string, unknown> {
  // io 'input': what a person writes (defaults optional), not the parsed result.
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return { ...schema, $id: 'https://gatehouse.dev/schema/gatehouse.schema.json', title: 'gatehouse.yaml' };
}

export const renderJsonSchema = (): string => `${JSON.stringify(gatehouseJsonSchema(), null, 2)}\n`;
