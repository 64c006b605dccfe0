/**
 * From gatehouse.yaml (already validated by the CLI) to what Cedar needs for
 * one protected resource: its access model and its `policy:` block (files,
 * cases, time zone, environment, user attributes, tags). Structural input:
 * this package does not depend on the CLI's config schema.
 */
import { dirname, resolve } from 'node:path';
import type { AccessModel, AttributeType, OperationTraits, Sensitivity } from './access-model.ts';

export interface ResourcePolicyConfig {
  files: string[];
  cases?: string;
  time_zone?: string;
  environment?: string;
  user_attributes?: Record<string, AttributeType>;
  /** Tags per operation name (tool, resource URI or prompt). */
  tags?: Record<string, string[]>;
}

export interface ConfigLike {
  roles?: { name: string }[];
  scopes?: { name: string; sensitivity?: Sensitivity }[];
  resources?: {
    uri: string;
    operations?: { tools?: Record<string, string[]>; resources?: Record<string, string[]>; prompts?: Record<string, string[]> };
    policy?: ResourcePolicyConfig;
  }[];
}

export interface PolicyProject {
  resource: string;
  model: AccessModel;
  /** Absolute paths. */
  files: string[];
  cases: string | undefined;
  timeZone: string | undefined;
  environment: string | undefined;
}

const RANK: Record<Sensitivity, number> = { routine: 0, sensitive: 1, critical: 2 };

/** The resources of a config that declare Cedar policies, each with its model; paths resolve against the config file's folder. */
export function policyProjects(config: ConfigLike, configPath: string): PolicyProject[] {
  const base = dirname(resolve(configPath));
  const sensitivity = new Map((config.scopes ?? []).map((scope) => [scope.name, scope.sensitivity ?? 'routine']));
  const projects: PolicyProject[] = [];
  for (const resource of config.resources ?? []) {
    const policy = resource.policy;
    if (!policy) continue;
    const traits = (operations: Record<string, string[]> | undefined): Record<string, OperationTraits> =>
      Object.fromEntries(
        Object.entries(operations ?? {}).map(([name, scopes]) => {
          // An operation is as sensitive as the most sensitive scope it requires.
          const level = scopes.map((scope) => sensitivity.get(scope) ?? 'routine').reduce<Sensitivity>((a, b) => (RANK[b] > RANK[a] ? b : a), 'routine');
          return [name, { sensitivity: level, tags: [...(policy.tags?.[name] ?? [])] }];
        }),
      );
    projects.push({
      resource: resource.uri,
      model: {
        roles: (config.roles ?? []).map((role) => role.name),
        tools: traits(resource.operations?.tools),
        resources: traits(resource.operations?.resources),
        prompts: traits(resource.operations?.prompts),
        userAttributes: { ...(policy.user_attributes ?? {}) },
      },
      files: policy.files.map((file) => resolve(base, file)),
      cases: policy.cases === undefined ? undefined : resolve(base, policy.cases),
      timeZone: policy.time_zone,
      environment: policy.environment,
    });
  }
  return projects;
}
