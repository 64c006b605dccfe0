/**
 * The Cedar call for one request and one prepared policy set: the context
 * keys and entity attributes its policies read, the principal's roles when
 * a policy still tests them, and the action with its group when a
 * condition names the action (scopes were decided when the set was made,
 * policy-partitions.ts). Cedar evaluates without the schema: the policies
 * were validated against it at load and buildRequest produces only values
 * of the schema's types, while handing Cedar the schema costs it a copy of
 * the schema and a typed parse of every value on every call.
 */
import { reads, type AttributeReads, type EvaluationReads } from './evaluation-reads.ts';
import type { CedarRequest } from './request.ts';
import type { CedarValueJson, EntityJson } from './wasm.ts';

type Attributes = Record<string, CedarValueJson>;

function pick(attributes: Attributes, wanted: AttributeReads): Attributes {
  if (wanted === true) return attributes;
  const picked: Attributes = {};
  for (const name of wanted) if (name in attributes) picked[name] = attributes[name]!;
  return picked;
}

const sameUid = (a: { type: string; id: string }, b: { type: string; id: string }): boolean => a.type === b.type && a.id === b.id;

export interface NarrowedCall {
  principal: { type: string; id: string };
  action: { type: string; id: string };
  resource: { type: string; id: string };
  context: Attributes;
  entities: EntityJson[];
}

export function narrowRequest(request: CedarRequest, needed: EvaluationReads, group: string, ancestry: boolean): NarrowedCall {
  const context = pick(request.context, needed.context);
  const agentRead = reads(needed.context, 'agent');
  const entities: EntityJson[] = needed.bare.has('action') ? [{ uid: request.action, attrs: {}, parents: [{ type: 'Action', id: group }] }] : [];
  for (const entity of request.entities) {
    const uid = entity.uid as { type: string; id: string };
    const isPrincipal = sameUid(uid, request.principal);
    let wanted: AttributeReads = new Set();
    if (isPrincipal) wanted = needed.principal;
    else if (sameUid(uid, request.resource)) wanted = needed.resource;
    // The calling agent is `context.agent`: whoever reads it may read any of its attributes.
    if (uid.type === 'Agent' && agentRead) wanted = true;
    const parents = isPrincipal && (ancestry || needed.bare.has('principal')) ? (entity.parents ?? []) : [];
    // No policy reads an attribute of it or tests its ancestors: Cedar needs only its uid, which the request carries.
    if (wanted !== true && wanted.size === 0 && parents.length === 0) continue;
    entities.push({ uid, attrs: pick(entity.attrs as Attributes, wanted), parents });
  }
  return { principal: request.principal, action: request.action, resource: request.resource, context, entities };
}
