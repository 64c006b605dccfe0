import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/server/logger.ts';

function capture(): { lines: () => Record<string, unknown>[]; text: () => string; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (chunks.push(String(chunk)), done()) });
  return {
    destination,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('log redaction by path (issue 10, finding 13)', () => {
  it('keeps OAuth error codes readable: a rejected token request logs code and error as they are', () => {
    const out = capture();
    const logger = createLogger({ destination: out.destination });
    logger.info({ code: 'invalid_grant', detail: 'code expired' }, 'authorize: request rejected before redirect');
    logger.info({ error: 'invalid_client' }, 'token request rejected');
    logger.error({ err: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }, 'store failed');
    const [rejected, token, failure] = out.lines();
    expect(rejected).toMatchObject({ code: 'invalid_grant' });
    expect(token).toMatchObject({ error: 'invalid_client' });
    expect((failure as { err: { code: string } }).err.code).toBe('ECONNREFUSED');
  });

  it('redacts an authorization code where it travels: query string, form body and URL-valued fields', () => {
    const out = capture();
    const logger = createLogger({ destination: out.destination });
    logger.info({ query: { code: 'code-SECRET1', state: 's1' }, body: { code: 'code-SECRET2', grant_type: 'authorization_code' } }, 'request');
    logger.info({ location: 'https://client.example/cb?code=code-SECRET3&state=s2&iss=x' }, 'redirect');
    logger.info({ url: '/token?refresh_token=rt-SECRET4&client_id=c1' }, 'odd request');
    const text = out.text();
    for (const secret of ['code-SECRET1', 'code-SECRET2', 'code-SECRET3', 'rt-SECRET4']) expect(text).not.toContain(secret);
    const [request, redirect, odd] = out.lines();
    expect(request).toMatchObject({ query: { code: '[redacted]', state: 's1' }, body: { code: '[redacted]', grant_type: 'authorization_code' } });
    expect(redirect).toMatchObject({ location: 'https://client.example/cb?code=[redacted]&state=s2&iss=x' });
    expect(odd).toMatchObject({ url: '/token?refresh_token=[redacted]&client_id=c1' });
  });

  it('redacts tokens, secrets, passwords and credentials headers wherever they are named', () => {
    const out = capture();
    const logger = createLogger({ destination: out.destination });
    logger.info({ access_token: 'at-SECRET1', body: { client_secret: 'cs-SECRET2' }, password: 'pw-SECRET3', headers: { authorization: 'Bearer SECRET4', cookie: 'gh_session=SECRET5' } }, 'request');
    const text = out.text();
    for (const secret of ['SECRET1', 'SECRET2', 'SECRET3', 'SECRET4', 'SECRET5']) expect(text).not.toContain(secret);
  });

  it('prints readable lines, not JSON, when asked to be pretty (gatehouse dev in a terminal)', () => {
    const out = capture();
    const logger = createLogger({ destination: out.destination, pretty: true });
    logger.info({ route: '/token', status: 200 }, 'request');
    expect(out.text()).toMatch(/INFO.*request/);
    expect(() => JSON.parse(out.text())).toThrow();
    expect(out.text()).toContain('/token');
  });
});
