export { approvalGate, declaresUrlElicitation, APPROVAL_INPUT_KEY, MISSING_REQUIRED_CLIENT_CAPABILITY, type ApprovalGateOptions, type ApprovalRequirement } from './gate.ts';
export {
  gatehouseApprovals,
  ApprovalAuthorityError,
  type ApprovalAuthority,
  type GatehouseApprovalsOptions,
  type OpenedApproval,
  type OpenApprovalInput,
  type ConsumeApprovalInput,
  type ConsumeResult,
} from './authority.ts';
export { argumentsSha256, canonicalJson } from './arguments-hash.ts';
export { sealState, openState, stateKey, type ApprovalState } from './request-state.ts';
