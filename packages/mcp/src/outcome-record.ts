/**
 * The record of an allowed operation is written when its outcome is known
 * (issue 16 §4): after the handler returned, with success or error and the
 * duration. A JSON-RPC error, or a tool result with `isError: true` (what the
 * official SDK makes of a handler that throws), is outcome 'error'.
 *
 * If that record cannot be written, the caller gets a JSON-RPC internal
 * error instead of the result: nothing leaves the server unaudited (the
 * handler has run by then; onError reports the lost record).
 */
import type { PendingDecision } from './authorize-operations.ts';
import { errorMessage, INTERNAL_ERROR, jsonResponse, type JsonRpcId } from './jsonrpc.ts';
import type { DecisionRecord } from './policy.ts';
import { isEventStream, isEventStreamType } from './sse-messages.ts';
import { settleHeldStream, settleStreamed } from './sse-outcome.ts';

interface Outcome {
  outcome: 'success' | 'error';
  error?: string;
}

const MAX_ERROR = 300;

/** What a JSON-RPC response body says about the call it answers. */
export function outcomeOf(status: number, text: string): Outcome {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return status < 400 ? { outcome: 'success' } : { outcome: 'error', error: `HTTP ${status}` };
  }
  return outcomeOfMessage(status, message);
}

/** The same for a message already parsed (an SSE event's data). */
export function outcomeOfMessage(status: number, message: unknown): Outcome {
  if (typeof message !== 'object' || message === null) return { outcome: 'error', error: 'not a JSON-RPC response' };
  const { error, result } = message as { error?: { code?: unknown; message?: unknown }; result?: { isError?: unknown } };
  if (error !== undefined) return { outcome: 'error', error: `JSON-RPC error ${String(error?.code)}: ${String(error?.message)}`.slice(0, MAX_ERROR) };
  if (result?.isError === true) return { outcome: 'error', error: 'the tool returned an error result' };
  return status < 400 ? { outcome: 'success' } : { outcome: 'error', error: `HTTP ${status}` };
}

/**
 * The record of an allowed call: its pending decision with the outcome and
 * the duration. Built by assignment, not as `{ ...pending, result, … }`:
 * V8 (Node 20) makes each property a literal adds after a spread cost about
 * a microsecond (~5 µs for this record, measured), on every call.
 */
export function allowedRecord(pending: PendingDecision, outcome: Outcome, durationMs: number): DecisionRecord {
  const record = Object.assign({}, pending) as DecisionRecord;
  record.result = 'allow';
  record.reason = undefined;
  record.outcome = outcome.outcome;
  if (outcome.error !== undefined) record.error = outcome.error;
  record.durationMs = durationMs;
  return record;
}

/**
 * Sends an answer whose body is already text and returns the Response that
 * stands for it: by default a web Response; toNodeListener writes it to
 * node:http instead (node-send.ts).
 */
export type TextSender = (text: string, status: number, headers: Headers) => Response;

const webResponse: TextSender = (text, status, headers) => new Response(text, { status, headers });

/** What recording an allowed operation's outcome needs, whatever form the answer has. */
export interface OutcomeInput {
  allowed: PendingDecision[];
  requestId: JsonRpcId;
  startedAt: number;
  now: () => number;
  onDecision: ((record: DecisionRecord) => void | Promise<void>) | undefined;
  onError: ((error: unknown) => void) | undefined;
}

export interface SettleInput extends OutcomeInput {
  response: Response;
  /** How the recorded answer is sent (default: a web Response). */
  sendText?: TextSender;
}

/**
 * An answer already complete, held as bytes with plain (lower-case) headers:
 * what a gateway has when its upstream answered at once, settled and sent
 * without a web Response or stream around it.
 */
export interface WholeAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const decoder = new TextDecoder();
/** In place of a result whose record could not be written. */
const withheld = (input: OutcomeInput) => errorMessage(input.requestId, INTERNAL_ERROR, 'The outcome could not be recorded; the result is withheld');

/** Records the outcome of a JSON (not event-stream) answer's text; false when a record could not be written. */
async function recordText(input: OutcomeInput, status: number, text: string): Promise<boolean> {
  const outcome = outcomeOf(status, text);
  const durationMs = Math.max(0, input.now() - input.startedAt);
  try {
    for (const pending of input.allowed) await input.onDecision!(allowedRecord(pending, outcome, durationMs));
    return true;
  } catch (error) {
    input.onError?.(error);
    return false;
  }
}

/** Records each allowed operation with the response's outcome; returns the response to send. */
export async function settleAllowed(input: SettleInput): Promise<Response> {
  const { allowed, response, onDecision } = input;
  if (allowed.length === 0 || onDecision === undefined) return response;
  // A streamed answer (a gateway's upstream, progress before the result) is recorded when its result passes.
  if (isEventStream(response) && response.body) return settleStreamed(input, response.body);
  // The transport answers in JSON (enableJsonResponse); read it once and hand the same bytes on.
  const text = await response.text();
  if (!(await recordText(input, response.status, text))) return jsonResponse(withheld(input));
  return (input.sendText ?? webResponse)(text, response.status, response.headers);
}

/** settleAllowed for an answer held whole: the same records, and the same answer or the same replacement for it. */
export async function settleAllowedWhole(input: OutcomeInput, answer: WholeAnswer): Promise<WholeAnswer> {
  if (input.allowed.length === 0 || input.onDecision === undefined) return answer;
  const text = typeof answer.body === 'string' ? answer.body : decoder.decode(answer.body);
  if (isEventStreamType(answer.headers['content-type'])) {
    const rewritten = await settleHeldStream(input, text);
    return rewritten === undefined ? answer : { status: answer.status, headers: answer.headers, body: rewritten };
  }
  if (await recordText(input, answer.status, text)) return answer;
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(withheld(input)) };
}
