/**
 * Security catalogue, "DCR abuse: a flood of registrations -> 429", over a
 * real socket. registration/register.test.ts checks the limiter in
 * process, where X-Forwarded-For names the client; here Gatehouse runs as
 * `gatehouse dev` runs it, and an attacker who forges a fresh
 * X-Forwarded-For on every request is still one address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';

let gatehouse: TestGatehouse;
beforeAll(async () => {
  gatehouse = await startTestGatehouse({ server: { registrationRateLimitPerMinute: 3 } });
});
afterAll(() => gatehouse.close());

const body = JSON.stringify({ client_name: 'Flood', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none', application_type: 'native' });

describe('RFC 7591 DCR abuse: registration flood', () => {
  it('answers 429 to a flood from one address even when each request forges another X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${gatehouse.issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i + 1}`, forwarded: `for=198.51.100.${i + 1}`, 'x-real-ip': `198.51.100.${i + 1}` },
        body,
      });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });
});
