/**
 * The access model a Cedar schema is generated from: the config's roles,
 * the operations of one protected resource with their sensitivity and
 * tags, and the user attributes a directory supplies.
 */
export type Sensitivity = 'routine' | 'sensitive' | 'critical';

export interface OperationTraits {
  sensitivity: Sensitivity;
  tags: string[];
}

/** Cedar types a user attribute may have. */
export type AttributeType = 'String' | 'Long' | 'Boolean' | 'Set<String>';

export interface AccessModel {
  roles: string[];
  tools: Record<string, OperationTraits>;
  /** Keyed by exact resource URI. */
  resources: Record<string, OperationTraits>;
  prompts: Record<string, OperationTraits>;
  /** Attributes of a User beyond roles, org and scopes (e.g. department, clearance); each is optional on the entity. */
  userAttributes: Record<string, AttributeType>;
}

export const OPERATION_KINDS = ['tool', 'resource', 'prompt'] as const;
export type OperationKindName = (typeof OPERATION_KINDS)[number];

/** The Cedar action id of an operation: `tool:revenue_report`, `resource:file:///a`, `prompt:summary`. */
export const actionId = (kind: OperationKindName, name: string): string => `${kind}:${name}`;

/** The action group every operation of a kind belongs to (`action in Action::"tools"`). */
export const actionGroup = (kind: OperationKindName): string => `${kind}s`;

/** The entity type of the resource an operation acts on. */
export const resourceType = (kind: OperationKindName): 'Tool' | 'Resource' | 'Prompt' => (kind === 'tool' ? 'Tool' : kind === 'resource' ? 'Resource' : 'Prompt');

export const operationsOf = (model: AccessModel, kind: OperationKindName): Record<string, OperationTraits> => (kind === 'tool' ? model.tools : kind === 'resource' ? model.resources : model.prompts);
