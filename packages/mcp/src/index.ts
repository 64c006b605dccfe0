export { GatedMcpServer, type Gate, type GatedOperations } from './gated-server.ts';
export { RUN, type CallGate, type CallGateInput, type CallGateVerdict, type JsonRpcAnswer } from './call-gate.ts';
export { protectMcpServer, type ProtectedMcp, type RequestInfo } from './resource-server.ts';
export { toNodeListener } from './node.ts';
export type { BodyReader, BodyResult } from './read-body.ts';
export { parseJsonBody } from './read-body.ts';
export type { ProtectMcpOptions, McpGuardOptions } from './options.ts';
export type { OrganizationOptions } from './organizations.ts';
export { createMcpGuard, pathOf, type McpGuard, type GuardResult } from './request-guard.ts';
export { requireScopes, anyOf, isSatisfied, scopesToRequest, type ScopeRequirement } from './requirements.ts';
export { getPrincipal, heldScopes, principalFromClaims, type Principal } from './principal.ts';
export {
  allOf,
  deny,
  ALLOW,
  tenantIsolation,
  resourceOwnership,
  forOperations,
  type Policy,
  type Decision,
  type DecisionBasis,
  type DecisionRecord,
  type Operation,
  type OperationKind,
  type RequestContext,
} from './policy.ts';
export { buildMetadata, metadataPath, metadataUrl, type ProtectedResourceMetadata } from './protected-resource-metadata.ts';
export { wwwAuthenticate, challengeResponse, type ChallengeInput } from './challenge.ts';
export type { HeaderReader, RequestHead } from './request-head.ts';
export { extractBearer, type BearerExtraction } from './bearer-token.ts';
export { authorizeOperations, type OperationsVerdict, type PendingDecision } from './authorize-operations.ts';
export { RefusalCounter, OVERFLOW_REASON, type RefusedTokens } from './refused-tokens.ts';
export { ClientDirectory, type CallerInfo } from './client-context.ts';
export { outcomeOf, type OutcomeInput, type WholeAnswer } from './outcome-record.ts';
export { requestsIn, errorMessage, type JsonRpcRequestView } from './jsonrpc.ts';
export { POLICY_DENIED, AUTHORIZATION_UNAVAILABLE } from './jsonrpc.ts';
export { createVerifier } from './verification/create-verifier.ts';
export { resolveOptions } from './options.ts';
export { IntrospectionVerifier, type IntrospectionVerifierOptions } from './verification/introspection-verifier.ts';
export { JwtVerifier, type JwtVerifierOptions } from './verification/jwt-verifier.ts';
export { TokenCache } from './verification/token-cache.ts';
export { VerifierUnavailableError, type TokenVerifier, type Verification, type RevocationEvent, type RevocationStreamState } from './verification/types.ts';
export { rewriteSseMessages, rewriteSseText, isEventStream, isEventStreamType, type SseRewriter } from './sse-messages.ts';
export { RevocationStream, type RevocationStreamOptions } from './verification/revocation-stream.ts';
export { basicAuthorization } from './verification/introspection-verifier.ts';
export { HEADER_MISMATCH, jsonResponse } from './jsonrpc.ts';
