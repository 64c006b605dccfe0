export { createGateway, type Gateway, type GatewayOptions, type UpstreamOptions, type GatewayDecisionRecord } from './gateway.ts';
export { compilePolicy, PolicyError, RuleGates, type UpstreamPolicy, type PolicyRule, type PolicyIssue, type CompiledPolicy } from './upstream-policy.ts';
export { constraintViolation, type ArgumentConstraint } from './argument-constraints.ts';
export { compilePattern, isExactName, patternProblem, type NamePattern } from './glob.ts';
export type { StdioCommand } from './stdio-session.ts';
export type { SessionLimits } from './stdio-upstream.ts';
export type { UpstreamCredentialOptions, ClientCredentialsOptions } from './upstream-credentials.ts';
export { UPSTREAM_UNAVAILABLE, SESSION_LIMIT, SESSION_NOT_FOUND } from './errors.ts';
export { gatewayRequestListener } from './node-listener.ts';
