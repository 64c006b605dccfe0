/**
 * Per-call human approval as a call gate (issue 15 item 4; docs/approvals.md).
 *
 * First call of a tool that needs approval: open a pending approval at the
 * authorization server (bound to the token's grant, the tool and the
 * argument hash) and answer with the MCP 2026-07-28 multi-round-trip shape,
 * an InputRequiredResult whose `inputRequests` hold one URL-mode
 * `elicitation/create` pointing at the approval page, plus a sealed
 * `requestState`. The client retries with the state echoed: the state must
 * open (AES-256-GCM), be unexpired, name this tool, agent, subject and
 * resource and the hash of the RETRIED arguments; then the approval is
 * consumed at the authorization server, once, and the call runs.
 *
 * A client that did not declare URL elicitation in this request's
 * `io.modelcontextprotocol/clientCapabilities` gets MCP's
 * MissingRequiredClientCapability error (-32021) whose message and data
 * say where the person approves; after approving out of band the same call
 * retried runs once (consumed by its binding). Never a silent allow.
 */
import { FORBIDDEN, jsonRpcError, RUN, type Gate, type GateInput, type GatePrincipal, type GateOperation, type GateVerdict } from '../gate-types.ts';
import { argumentsSha256 } from './arguments-hash.ts';
import type { ApprovalAuthority } from './authority.ts';
import { openState, sealState, stateKey, type ApprovalState } from './request-state.ts';

export interface ApprovalRequirement {
  /** Roles (in the token's org) whose holders may approve besides the person themself. */
  approverRoles?: string[];
  /** Whether the person the agent acts for may approve their own call (default true). False: four eyes. */
  selfApproval?: boolean;
}

export interface ApprovalGateOptions {
  authority: ApprovalAuthority;
  /** 32 bytes (base64url) sealing the request state. Every instance of the server needs the same key. */
  stateKey: string | Uint8Array;
  /** Tool name → requirement, or a function deciding per call (a policy's `approval_required`). */
  requires: Readonly<Record<string, ApprovalRequirement>> | ((principal: GatePrincipal, operation: GateOperation) => ApprovalRequirement | undefined);
  /** How long a pending approval waits, in seconds; at most (and default) 300. */
  ttlSeconds?: number;
}

/** MCP 2026-07-28 MissingRequiredClientCapabilityError. */
export const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
/** The key of our one input request in `inputRequests` / `inputResponses`. */
export const APPROVAL_INPUT_KEY = 'approval';
const CAPABILITIES_META = 'io.modelcontextprotocol/clientCapabilities';

const REFUSALS: Record<string, string> = {
  already_consumed: 'this approval was already used',
  denied: 'the approval was denied',
  expired: 'the approval expired',
  mismatch: 'the approval is for another call',
  unknown: 'no such approval',
};

const record = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);

/** Whether this request declared URL-mode elicitation (capabilities are per request in 2026-07-28). */
export function declaresUrlElicitation(params: Record<string, unknown>): boolean {
  const capabilities = record(record(params._meta)?.[CAPABILITIES_META]);
  return record(record(capabilities?.elicitation)?.url) !== undefined;
}

export function approvalGate(options: ApprovalGateOptions): Gate {
  const key = stateKey(options.stateKey);
  const ttlSeconds = Math.min(options.ttlSeconds ?? 300, 300);
  const requirementOf =
    typeof options.requires === 'function' ? options.requires : (_: GatePrincipal, operation: GateOperation) => (options.requires as Record<string, ApprovalRequirement>)[operation.name];

  const refuse = (input: GateInput, why: string): GateVerdict => ({
    kind: 'answer',
    message: jsonRpcError(input.request.id, FORBIDDEN, `Forbidden: ${why}; the call did not run. Call the tool again to ask for a new approval.`),
    reason: `approval refused: ${why}`,
  });

  const held = (input: GateInput, url: string, state: string, approvalId: string): GateVerdict => ({
    kind: 'answer',
    message: {
      jsonrpc: '2.0',
      id: input.request.id,
      result: {
        resultType: 'input_required',
        inputRequests: {
          [APPROVAL_INPUT_KEY]: {
            method: 'elicitation/create',
            params: {
              mode: 'url',
              elicitationId: approvalId,
              url,
              message: `A person must approve this call of ${input.operation.name} before it runs. Open the link, review the arguments and approve; then retry.`,
            },
          },
        },
        requestState: state,
      },
    },
    reason: `approval required (approval ${approvalId} pending)`,
  });

  async function open(input: GateInput, requirement: ApprovalRequirement, hash: string) {
    const opened = await options.authority.open({
      token: input.token,
      tool: input.operation.name,
      arguments: input.operation.arguments,
      argumentsSha256: hash,
      approverRoles: requirement.approverRoles ?? [],
      selfApproval: requirement.selfApproval ?? true,
      ttlSeconds,
    });
    const state: ApprovalState = {
      v: 1,
      approvalId: opened.approvalId,
      tool: input.operation.name,
      argumentsSha256: hash,
      clientId: input.principal.clientId,
      subject: input.principal.subject,
      resource: input.context.resource,
      url: opened.url,
      expiresAt: opened.expiresAt,
    };
    return { opened, sealed: sealState(key, state) };
  }

  async function retried(input: GateInput, blob: unknown, hash: string): Promise<GateVerdict> {
    const state = typeof blob === 'string' ? openState(key, blob) : undefined;
    if (!state) return refuse(input, 'the request state is not one this server issued (modified or forged)');
    if (state.tool !== input.operation.name || state.clientId !== input.principal.clientId || state.subject !== input.principal.subject || state.resource !== input.context.resource) {
      return refuse(input, 'the request state belongs to another call');
    }
    if (state.argumentsSha256 !== hash) return refuse(input, 'the arguments changed since the approval was asked for');
    if (state.expiresAt <= input.context.time) return refuse(input, 'the approval expired');
    const response = record(record(input.request.params.inputResponses)?.[APPROVAL_INPUT_KEY]);
    const action = record(response?.result)?.action ?? response?.action;
    if (action === 'decline' || action === 'cancel') return refuse(input, 'the person declined to open the approval page');
    const outcome = await options.authority.consume({ token: input.token, approvalId: state.approvalId, tool: input.operation.name, argumentsSha256: hash });
    if (outcome.consumed) return RUN;
    if (outcome.reason === 'not_approved') {
      // Not decided yet: hold the call again with the same state (the person may still approve).
      return held(input, state.url, blob as string, state.approvalId);
    }
    return refuse(input, REFUSALS[outcome.reason] ?? `the approval cannot be used (${outcome.reason})`);
  }

  return async (input) => {
    const requirement = requirementOf(input.principal, input.operation);
    if (!requirement) return RUN;
    const hash = argumentsSha256(input.operation.arguments);
    const params = input.request.params;
    if (params.requestState !== undefined) return retried(input, params.requestState, hash);
    if (declaresUrlElicitation(params)) {
      const { opened, sealed } = await open(input, requirement, hash);
      return held(input, opened.url, sealed, opened.approvalId);
    }
    // No URL elicitation: an approval the person already gave out of band for exactly this call runs it once.
    const outcome = await options.authority.consume({ token: input.token, approvalId: undefined, tool: input.operation.name, argumentsSha256: hash });
    if (outcome.consumed) return RUN;
    const { opened } = await open(input, requirement, hash);
    return {
      kind: 'answer',
      message: jsonRpcError(
        input.request.id,
        MISSING_REQUIRED_CLIENT_CAPABILITY,
        `This call of ${input.operation.name} needs a person's approval and this client cannot show an approval link (no URL elicitation capability). Approve it at ${opened.url} within ${ttlSeconds} seconds, then retry the same call.`,
        { requiredCapabilities: { elicitation: { url: {} } }, approvalUrl: opened.url, expiresAt: Math.floor(opened.expiresAt / 1000) },
      ),
      reason: `approval required out of band (approval ${opened.approvalId} pending)`,
    };
  };
}
