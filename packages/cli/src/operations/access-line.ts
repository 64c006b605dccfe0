/**
 * The access log's `info` line, serialised here and handed to the logger's
 * own destination: the bytes pino would write for
 * `logger.info({ reqId, method, route, status, ms, clientId }, 'request')`
 * (its level, time, bindings, fields and message keys, in its order).
 *
 * Why not pino's call: the line has a fixed shape of six short fields, and
 * pino's generic path (the log formatter, the per-key serialiser loop, a
 * chindings merge) cost more CPU than the token read behind an
 * introspection. The fields never hold a secret (a sanitised request id, a
 * method, a route label, a status, a duration, a client id), so redaction
 * has nothing to do. Every other line, and every level but `info`, still
 * goes through pino; a logger whose shape this does not know (custom
 * message key, formatters of levels, a mixin) keeps pino's path too.
 */
import { pino, type Logger } from 'pino';

export interface AccessLine {
  reqId: string;
  method: string;
  route: string;
  status: number;
  ms: number;
  clientId?: string;
}

/** Writes `line` at info as pino would, or returns false when the caller must log it through pino. */
export type AccessLineWriter = (line: AccessLine) => boolean;

const INFO = 30;

export function accessLineWriter(logger: Logger): AccessLineWriter {
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as { write(line: string): unknown } | undefined;
  const plain =
    stream !== undefined &&
    internals[pino.symbols.messageKeySym] === 'msg' &&
    internals[pino.symbols.mixinSym] === undefined &&
    internals[pino.symbols.timeSym] === pino.stdTimeFunctions.epochTime &&
    typeof internals[pino.symbols.chindingsSym] === 'string' &&
    levelIsPlain(internals[pino.symbols.formattersSym]);
  if (!plain) return () => false;
  const bindings = internals[pino.symbols.chindingsSym] as string;
  return (line) => {
    if (logger.levelVal > INFO) return true;
    const client = line.clientId === undefined ? '' : `,"clientId":${JSON.stringify(line.clientId)}`;
    stream.write(
      `{"level":${INFO},"time":${Date.now()}${bindings},"reqId":${JSON.stringify(line.reqId)},"method":${JSON.stringify(line.method)},"route":${JSON.stringify(line.route)},"status":${line.status},"ms":${line.ms}${client},"msg":"request"}\n`,
    );
    return true;
  };
}

/** pino's default level formatter writes `"level":<number>`; a custom one would write something else. */
function levelIsPlain(formatters: unknown): boolean {
  const level = (formatters as { level?: (label: string, number: number) => object } | undefined)?.level;
  if (level === undefined) return false;
  const written = level('info', INFO) as Record<string, unknown>;
  return Object.keys(written).length === 1 && written.level === INFO;
}
