import { afterEach, describe, expect, it } from 'vitest';
import { authenticateClient } from '../../src/clients/index.ts';
import { startHarness, type Harness } from '../registration/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('RFC 7591 registration then RFC 6749 §2.3 authentication', () => {
  it('authenticates a dynamically registered confidential client with the secret it was given, and only that one', async () => {
    harness = await startHarness();
    const response = await harness.app.request('https://as.example/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ application_type: 'web', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_basic' }),
    });
    const { client_id, client_secret } = (await response.json()) as { client_id: string; client_secret: string };
    const headers = (secret: string) => new Headers({ authorization: `Basic ${Buffer.from(`${client_id}:${secret}`).toString('base64')}` });
    const client = await authenticateClient(harness.ctx, { headers: headers(client_secret), form: new URLSearchParams() });
    expect(client.id).toBe(client_id);
    await expect(authenticateClient(harness.ctx, { headers: headers(`${client_secret}A`), form: new URLSearchParams() })).rejects.toMatchObject({ code: 'invalid_client', status: 401 });
  });
});
