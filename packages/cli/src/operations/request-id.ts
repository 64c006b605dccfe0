/**
 * The request id that ties a response to its log lines: a caller's (or a
 * proxy's) `X-Request-Id` when it is sane (1–128 characters of
 * `A-Za-z0-9._:-`, so it cannot forge log structure or flood a line),
 * otherwise a new random one. It is returned in the response's
 * `X-Request-Id` header.
 */
import { randomUUID } from 'node:crypto';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

export function requestIdOf(headers: { get(name: string): string | null }): string {
  const incoming = headers.get(REQUEST_ID_HEADER);
  return incoming !== null && SANE.test(incoming) ? incoming : randomUUID();
}
