/**
 * The outcome record of an allowed operation answered as a text/event-stream
 * (a stateful server, or a gateway's upstream, sending progress, logging or
 * a sampling request before the result): every event passes at once, and
 * the record is written when the response carrying the request's id
 * arrives, before that response is forwarded. If the record cannot be
 * written, the response is replaced by a JSON-RPC internal error, as for a
 * JSON answer. A stream that ends without the response is recorded as an
 * error.
 */
import { errorMessage, INTERNAL_ERROR } from './jsonrpc.ts';
import { allowedRecord, outcomeOfMessage, type OutcomeInput, type SettleInput } from './outcome-record.ts';
import { findEventMessage, rewriteSseMessages, withData, type SseRewriter } from './sse-messages.ts';

export function settleStreamed(input: SettleInput, body: ReadableStream<Uint8Array>): Response {
  const { response } = input;
  return new Response(rewriteSseMessages(body, outcomeRewriter(input)), { status: response.status, headers: response.headers });
}

/** Records the outcome when the response to the request passes (streamed). */
export function outcomeRewriter(input: OutcomeInput): SseRewriter {
  const { allowed, onDecision } = input;
  let recorded = false;
  const record = async (outcome: ReturnType<typeof outcomeOfMessage>) => {
    recorded = true;
    const durationMs = Math.max(0, input.now() - input.startedAt);
    for (const pending of allowed) await onDecision!(allowedRecord(pending, outcome, durationMs));
  };
  return {
    async message(message) {
      if (recorded || typeof message !== 'object' || message === null) return undefined;
      const { id, method } = message as { id?: unknown; method?: unknown };
      if (method !== undefined || id !== input.requestId) return undefined;
      try {
        // The message as the rewriter parsed it: not serialized or parsed again.
        await record(outcomeOfMessage(200, message));
      } catch (error) {
        input.onError?.(error);
        return JSON.stringify(errorMessage(input.requestId, INTERNAL_ERROR, 'The outcome could not be recorded; the result is withheld'));
      }
      return undefined;
    },
    async end() {
      if (recorded) return;
      await record({ outcome: 'error', error: 'the stream ended before the result' }).catch((error: unknown) => input.onError?.(error));
    },
  };
}

/**
 * The same for an event stream held whole (a gateway's upstream that answered at once): the text with the
 * response's data replaced when its record could not be written, else undefined (the bytes that came go
 * on). What outcomeRewriter does over rewriteSseText, without a rewriter and a promise per event: the
 * response is found by a plain scan, and recorded once.
 */
export async function settleHeldStream(input: OutcomeInput, text: string): Promise<string | undefined> {
  const response = findEventMessage(text, (message) => isResponseTo(message, input.requestId));
  const outcome = response === undefined ? { outcome: 'error' as const, error: 'the stream ended before the result' } : outcomeOfMessage(200, response.message);
  const durationMs = Math.max(0, input.now() - input.startedAt);
  try {
    for (const pending of input.allowed) {
      // Awaited only when it returns a promise (an audit log): a logger's undefined needs no turn of the queue.
      const recorded = input.onDecision!(allowedRecord(pending, outcome, durationMs));
      if (recorded !== undefined) await recorded;
    }
    return undefined;
  } catch (error) {
    input.onError?.(error);
    // No response to withhold: the stream goes on as it came.
    if (response === undefined) return undefined;
    const withheld = JSON.stringify(errorMessage(input.requestId, INTERNAL_ERROR, 'The outcome could not be recorded; the result is withheld'));
    return `${text.slice(0, response.start)}${withData(text.slice(response.start, response.end), withheld)}${text.slice(response.end)}`;
  }
}

/** A JSON-RPC response (no method) to the request with this id. */
function isResponseTo(message: unknown, requestId: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const { id, method } = message as { id?: unknown; method?: unknown };
  return method === undefined && id === requestId;
}
