/**
 * The Cedar engine, loaded once per process: the Node build of
 * @cedar-policy/cedar-wasm instantiates its WebAssembly module when this
 * import is first evaluated, and every caller shares it.
 */
import { setFlagsFromString } from 'node:v8';

// V8 up to at least 12.x (Node 20 and 22) aborts the whole process ("Fatal error … unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when an optimized function that TurboFan compiled with an
// inlined call into a Wasm export returning a JS value is deoptimized while that call runs: its deoptimizer
// only knows numeric Wasm return types. Every cedar-wasm entry point returns a JS value, and a deopt during
// the call happens at random (e.g. when the answer's JSON.parse changes a map CedarEngine.evaluate's code
// depends on), so a server deciding with Cedar crashed under load. Without that one inlining, each Cedar call
// goes through V8's generic JS-to-Wasm wrapper, a real frame the deoptimizer handles; it costs well under a
// microsecond per call. See docs/policy.md, "Known issues".
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

export * as cedar from '@cedar-policy/cedar-wasm/nodejs';
export type { CedarValueJson, DetailedError, EntityJson, PolicyJson, Expr } from '@cedar-policy/cedar-wasm/nodejs';
