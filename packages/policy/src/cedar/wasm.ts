/**
 * The Cedar engine, loaded once per process: the Node build of
 * @cedar-policy/cedar-wasm instantiates its WebAssembly module when this
 * import is first evaluated, and every caller shares it.
 */
export * as cedar from '@cedar-policy/cedar-wasm/nodejs';
export type { CedarValueJson, DetailedError, EntityJson, PolicyJson, Expr } from '@cedar-policy/cedar-wasm/nodejs';
