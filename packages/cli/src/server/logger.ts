/**
 * pino with secrets redacted by where they travel, not by a field name
 * that also means something harmless: the log is read by more people than
 * the database, so it must never hold a token, authorization code, secret
 * or password, even when a caller passes one by mistake, while an OAuth
 * error code (`error: "invalid_grant"`, `code: "invalid_client"`) stays
 * readable for the operator chasing a failed login.
 *
 * - Fields that only ever hold secrets are redacted wherever they appear
 *   (top level and one level down: `token`, `client_secret`, `password`…).
 * - `code` is an authorization code only inside a request's query string
 *   or form body, so it is redacted there (`query.code`, `body.code`…)
 *   and nowhere else.
 * - URL-valued fields (`url`, `location`, `redirect_uri`…) have the values
 *   of secret query parameters replaced (`?code=[redacted]&state=…`).
 * - Authorization and cookie headers are redacted.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import { requestScope } from '../operations/request-scope.ts';

const SECRET_FIELDS = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code_verifier',
  'client_secret',
  'secret',
  'password',
  'authorization',
  'cookie',
  'registration_access_token',
  'assertion',
  'client_assertion',
  'subject_token',
];

/** Where a request's parameters travel: an authorization code sits there as `code`. */
const PARAMETER_CARRIERS = ['query', 'body', 'form', 'params', 'req.query', 'req.body'];

/** Query parameters whose values never go to a log line. */
const SECRET_PARAMETERS = new Set([...SECRET_FIELDS, 'code']);

export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...PARAMETER_CARRIERS.map((carrier) => `${carrier}.code`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];

const URL_FIELDS = new Set(['url', 'uri', 'href', 'location', 'redirect_uri', 'redirectUri', 'referer', 'path']);

/** `https://c.example/cb?code=abc&state=x` → `https://c.example/cb?code=[redacted]&state=x` (also in the fragment). */
export function scrubUrl(value: string): string {
  return value.replace(/([?&#])([^=&#]+)=([^&#]*)/g, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // not percent-encoded properly: compare as is
    }
    return SECRET_PARAMETERS.has(decoded.toLowerCase()) ? `${sep}${name}=[redacted]` : whole;
  });
}

function scrubUrlFields(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    if (!URL_FIELDS.has(key) || typeof value !== 'string' || !/[?#]/.test(value)) continue;
    copy ??= { ...object };
    copy[key] = scrubUrl(value);
  }
  return copy ?? object;
}

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; default stdout. Tests pass a stream to inspect them; `gatehouse gateway` a batching pino.destination. */
  destination?: NodeJS.WritableStream | pino.DestinationStream;
  /** Human-readable lines (a terminal) instead of JSON (a log shipper). Default false. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'gatehouse' },
    formatters: { log: scrubUrlFields },
  };
  if (options.pretty) {
    // In-process prettifier (no worker thread): `gatehouse dev` in a terminal reads like a dev server.
    const stream = pinoPretty({ destination: (options.destination ?? process.stdout) as never, colorize: true, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l', sync: true });
    return pino(config, stream);
  }
  return options.destination ? pino(config, options.destination as pino.DestinationStream) : pino(config);
}

/** Adapts pino to ServerContext['log']; a line written while handling a request carries its id. */
export const contextLog =
  (logger: Logger) =>
  (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void => {
    const reqId = requestScope.getStore()?.requestId;
    logger[level](reqId === undefined ? (fields ?? {}) : { reqId, ...fields }, message);
  };
