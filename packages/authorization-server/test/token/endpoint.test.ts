import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, createFixture, issueCode, post, redeem, token, type Fixture } from './fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(() => fx.close());

describe('RFC 6749 §3.2 token endpoint request format', () => {
  it('rejects a JSON body with invalid_request', async () => {
    const response = await fx.app.request('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('rejects a repeated parameter with invalid_request (§3.1: parameters MUST NOT be included more than once)', async () => {
    const issued = await issueCode(fx);
    const body = `grant_type=authorization_code&code=${issued.code}&code=${issued.code}&client_id=public-app`;
    const response = await fx.app.request('/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('rejects a missing grant_type with invalid_request', async () => {
    const { status, body } = await token(fx, { client_id: 'public-app' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });

  it('answers an unknown grant type with unsupported_grant_type', async () => {
    const { status, body } = await token(fx, { grant_type: 'password', username: 'a', password: 'b', client_id: 'public-app' });
    expect(status).toBe(400);
    expect(body.error).toBe('unsupported_grant_type');
  });

  it('does not treat inherited object keys as grant types', async () => {
    const { body } = await token(fx, { grant_type: 'constructor', client_id: 'public-app' });
    expect(body.error).toBe('unsupported_grant_type');
  });

  it('answers unauthorized_client for a grant type the client did not register', async () => {
    const { status, body } = await token(fx, { grant_type: 'client_credentials', resource: 'https://mcp.example.com/mcp' }, basic('web-app'));
    expect(status).toBe(400);
    expect(body.error).toBe('unauthorized_client');
  });

  it('answers 401 invalid_client when a confidential client sends a wrong secret', async () => {
    const { status, body, response } = await token(fx, { grant_type: 'client_credentials' }, basic('agent', 'wrong'));
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('sends Cache-Control: no-store on errors too', async () => {
    const response = await post(fx, '/token', { grant_type: 'nope', client_id: 'public-app' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('never puts the internal failure reason on the wire', async () => {
    const issued = await issueCode(fx);
    const { body } = await redeem(fx, issued, { redirect_uri: 'http://127.0.0.1/elsewhere' });
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
    expect(body.error_description).not.toMatch(/redirect/i);
  });
});
