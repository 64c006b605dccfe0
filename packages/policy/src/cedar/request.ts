/**
 * One Cedar request from one call: the principal (a User acting through an
 * Agent, or an Agent acting as itself), the operation's action and entity,
 * and the context. Everything here is built per call from that call's
 * inputs; only the values policies read outlive the decision, as the key
 * of Cedar's answer in the engine's bounded decision cache.
 */
import { isIP } from 'node:net';
import { actionId, operationsOf, resourceType, type AccessModel, type OperationKindName } from './access-model.ts';
import type { TimeParts } from './clock-parts.ts';
import type { CedarValueJson, EntityJson } from './wasm.ts';

/** The OAuth client acting: how it was registered and, for a metadata-document client, the host that vouches for it. */
export interface AgentInfo {
  /** `metadata_document` (client id is an https URL the AS fetched), `registered` (DCR or config), or what the resolver says. */
  kind: string;
  name: string;
  metadataHost?: string;
}

export interface CedarInput {
  principal: { subject: string; kind: 'user' | 'service'; orgId: string | null; roles: string[]; scopes: string[]; clientId: string };
  /** Directory attributes of the user (only those the model declares are passed on). */
  userAttributes?: Record<string, unknown>;
  agent: AgentInfo;
  operation: { kind: OperationKindName; name: string };
  /** Epoch milliseconds. */
  time: number;
  ip?: string;
  reason?: string;
  tenant?: string;
  owner?: string;
  ownerTeam?: string;
}

export interface CedarRequest {
  principal: { type: string; id: string };
  action: { type: 'Action'; id: string };
  resource: { type: string; id: string };
  context: Record<string, CedarValueJson>;
  entities: EntityJson[];
  /** Plain values of every input a policy may read, by path (`context.hour`), for decision logs; made on first use. */
  values(): Record<string, unknown>;
}

/** Default AgentInfo from the client id alone. */
export function agentFromClientId(clientId: string): AgentInfo {
  // Without a colon it cannot be an absolute URL: skip the parser, whose throw costs more than the rest of the request.
  if (!clientId.includes(':')) return { kind: 'registered', name: clientId };
  try {
    const url = new URL(clientId);
    if (url.protocol === 'https:') return { kind: 'metadata_document', name: clientId, metadataHost: url.host };
  } catch {
    // Not a URL: a registered client id.
  }
  return { kind: 'registered', name: clientId };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1 for `isInRange`. */
export function normalizeIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const value = mapped ?? ip;
  return isIP(value) === 0 ? undefined : value;
}

const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  String: (value) => typeof value === 'string',
  Long: (value) => Number.isSafeInteger(value),
  Boolean: (value) => typeof value === 'boolean',
  'Set<String>': (value) => Array.isArray(value) && value.every((item) => typeof item === 'string'),
};

export function buildRequest(model: AccessModel, input: CedarInput, parts: TimeParts, timeZone: string, environment: string): CedarRequest {
  const { principal, agent, operation } = input;
  const traits = operationsOf(model, operation.kind)[operation.name];
  if (!traits) throw new UnknownOperationError(operation.kind, operation.name);
  // Cedar evaluates without the schema (narrow-request.ts), so what the schema would refuse is refused here.
  if (typeof agent.kind !== 'string' || typeof agent.name !== 'string' || (agent.metadataHost !== undefined && typeof agent.metadataHost !== 'string')) {
    throw new InvalidInputError('the agent resolver must return string kind, name and metadataHost');
  }
  const agentUid = { type: 'Agent', id: principal.clientId };
  const agentAttrs: Record<string, CedarValueJson> = { kind: agent.kind, name: agent.name, scopes: principal.scopes };
  if (agent.metadataHost !== undefined) agentAttrs.metadataHost = agent.metadataHost;
  const entities: EntityJson[] = [{ uid: agentUid, attrs: agentAttrs, parents: [] }];
  let principalUid = agentUid;
  let principalAttrs = agentAttrs;
  if (principal.kind === 'user') {
    principalUid = { type: 'User', id: principal.subject };
    principalAttrs = { roles: principal.roles, scopes: principal.scopes };
    if (principal.orgId !== null) principalAttrs.org = principal.orgId;
    for (const [name, type] of Object.entries(model.userAttributes)) {
      const value = input.userAttributes?.[name];
      if (value !== undefined && TYPE_CHECKS[type]?.(value)) principalAttrs[name] = value as CedarValueJson;
    }
    entities.push({ uid: principalUid, attrs: principalAttrs, parents: principal.roles.map((role) => ({ type: 'Role', id: role })) });
  }
  const resourceUid = { type: resourceType(operation.kind), id: operation.name };
  const resourceAttrs = { sensitivity: traits.sensitivity, tags: traits.tags };
  entities.push({ uid: resourceUid, attrs: resourceAttrs, parents: [] });

  const context: Record<string, CedarValueJson> = {
    now: Math.floor(input.time / 1000),
    hour: parts.hour,
    minute: parts.minute,
    weekday: parts.weekday,
    date: parts.date,
    timeZone,
    environment,
    agent: { __entity: agentUid },
  };
  const ip = normalizeIp(input.ip);
  if (ip !== undefined) context.ip = { __extn: { fn: 'ip', arg: ip } };
  for (const key of ['reason', 'tenant', 'owner', 'ownerTeam'] as const) {
    const value = input[key];
    if (typeof value === 'string' && value !== '') context[key] = value;
  }

  let values: Record<string, unknown> | undefined;
  // Only decisions whose determining policies read something need these paths (a plain permit reads nothing).
  const valuesOf = (): Record<string, unknown> => {
    if (values) return values;
    values = {};
    for (const [key, value] of Object.entries(principalAttrs)) values[`principal.${key}`] = value;
    for (const [key, value] of Object.entries(resourceAttrs)) values[`resource.${key}`] = value;
    for (const [key, value] of Object.entries(context)) values[`context.${key}`] = value;
    values['context.agent'] = { id: principal.clientId, ...agent };
    if (ip !== undefined) values['context.ip'] = ip;
    return values;
  };
  return { principal: principalUid, action: { type: 'Action', id: actionId(operation.kind, operation.name) }, resource: resourceUid, context, entities, values: valuesOf };
}

export class UnknownOperationError extends Error {
  constructor(
    readonly kind: string,
    readonly operation: string,
  ) {
    super(`the access model has no ${kind} named ${JSON.stringify(operation)} (declare it under resources[].operations)`);
    this.name = 'UnknownOperationError';
  }
}

/** An input the schema does not allow (e.g. from a resolver that ignored its types): the call is denied. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
