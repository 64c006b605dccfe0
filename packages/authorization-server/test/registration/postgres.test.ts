/**
 * The clients feature on the production engine: registration, its rate
 * limit, client authentication and the metadata-document cache (upsert of
 * an existing row) against PostgreSQL, each in its own schema.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { requirePostgres } from '@gatehouse-auth/store/testing';
import { authenticateClient, resolveClient } from '../../src/clients/index.ts';
import { startDocServer, validDocument, type DocServer } from '../cimd/doc-server.ts';
import { startHarness, type Harness } from './harness.ts';

const available = await requirePostgres('clients on PostgreSQL');

let harness: Harness | undefined;
let docs: DocServer | undefined;
afterEach(async () => {
  await docs?.close();
  await harness?.close();
  harness = undefined;
  docs = undefined;
});

const register = (h: Harness, body: unknown) => h.app.request('https://as.example/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe.skipIf(!available)('Clients on PostgreSQL', () => {
  it('registers a confidential client that then authenticates with its secret only (RFC 7591, RFC 6749 §2.3.1)', async () => {
    harness = await startHarness({}, 'postgres');
    const response = await register(harness, { application_type: 'web', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_post' });
    expect(response.status).toBe(201);
    const { client_id, client_secret } = (await response.json()) as { client_id: string; client_secret: string };
    const form = (secret: string) => new URLSearchParams({ client_id, client_secret: secret });
    expect((await authenticateClient(harness.ctx, { headers: new Headers(), form: form(client_secret) })).id).toBe(client_id);
    await expect(authenticateClient(harness.ctx, { headers: new Headers(), form: form('wrong') })).rejects.toMatchObject({ code: 'invalid_client', status: 401 });
  });

  it('limits concurrent registrations from one address to the configured count (429 beyond)', async () => {
    harness = await startHarness({ registrationRateLimitPerMinute: 5 }, 'postgres');
    const h = harness;
    const body = { application_type: 'native', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' };
    const statuses = (await Promise.all(Array.from({ length: 12 }, () => register(h, body)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(await h.store.clients.list()).toHaveLength(5);
  });

  it('caches a metadata document and replaces it after expiry (CIMD §5.2)', async () => {
    harness = await startHarness({ cimd: { allowLoopback: true } }, 'postgres');
    docs = await startDocServer();
    const clientId = `${docs.origin}/client.json`;
    docs.serveJson(validDocument(clientId), { 'cache-control': 'max-age=60' });
    await resolveClient(harness.ctx, clientId);
    await resolveClient(harness.ctx, clientId);
    expect(docs.requests).toHaveLength(1);
    harness.clock.advance(61_000);
    docs.serveJson(validDocument(clientId, { client_name: 'Renamed' }));
    expect((await resolveClient(harness.ctx, clientId)).name).toBe('Renamed');
    expect((await harness.store.clients.get(clientId))?.name).toBe('Renamed');
    expect(docs.requests).toHaveLength(2);
  });
});
