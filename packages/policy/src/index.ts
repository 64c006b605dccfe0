export * from './approval/index.ts';
export * from './rate-limit/index.ts';
export { RUN, type Gate, type GateInput, type GateVerdict, type GateAnswer, type GatePrincipal, type GateOperation } from './gate-types.ts';
export * from './cedar/index.ts';
