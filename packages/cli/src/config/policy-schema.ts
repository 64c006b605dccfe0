/**
 * `resources[].policy`: the Cedar policies a protected resource enforces per
 * call (issue 15), kept as files beside gatehouse.yaml and reviewed like code.
 * Paths are relative to the config file.
 */
import { z } from 'zod';

const attributeType = z.enum(['String', 'Long', 'Boolean', 'Set<String>']);

export const resourcePolicySchema = z.strictObject({
  files: z.array(z.string().min(1)).min(1).describe('Cedar policy files (policies/*.cedar), relative to this config file.'),
  cases: z.string().min(1).optional().describe('Policy test cases (cases.yaml) run by `gatehouse policy test`.'),
  time_zone: z.string().min(1).default('UTC').describe('IANA time zone of context.hour, context.weekday and context.date (e.g. Europe/Berlin).'),
  environment: z.string().min(1).default('production').describe('context.environment (e.g. production, staging).'),
  user_attributes: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Cedar identifier'), attributeType)
    .default({})
    .describe('Directory attributes of a User beyond roles, org and scopes (e.g. department: String), each optional.'),
  tags: z.record(z.string(), z.array(z.string())).default({}).describe('Tags per operation name (resource.tags in policies).'),
});

export type ResourcePolicyConfig = z.infer<typeof resourcePolicySchema>;
