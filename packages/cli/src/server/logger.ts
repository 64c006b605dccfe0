/**
 * pino with every token-like field redacted: the log is read by more people
 * than the database, so it must never hold a token, code, secret or
 * password, even when a caller passes one by mistake.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

const SECRET_FIELDS = [
  'token', 'access_token', 'refresh_token', 'id_token', 'code', 'code_verifier', 'client_secret',
  'secret', 'password', 'authorization', 'cookie', 'registration_access_token', 'assertion',
];

/** Redacted at the top level, one level down and in request headers. */
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; default stdout. Tests pass a stream to inspect them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config = { level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'gatehouse' } };
  return options.destination ? pino(config, options.destination as pino.DestinationStream) : pino(config);
}

/** Adapts pino to ServerContext['log']. */
export const contextLog =
  (logger: Logger) =>
  (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void =>
    logger[level](fields ?? {}, message);
