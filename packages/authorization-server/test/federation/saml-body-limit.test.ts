/**
 * The ACS takes IdP-signed responses far larger than a page form (Entra ID
 * with many groups sends tens of KB): its body limit is 1 MiB, every other
 * page keeps the 16 KiB one, and a refusal is an HTML page.
 */
import { describe, expect, it } from 'vitest';
import { createHarness } from '../authorize/harness.ts';

const post = (h: Awaited<ReturnType<typeof createHarness>>, path: string, bytes: number) =>
  h.app.request(`${h.issuer}${path}`, {
    method: 'POST',
    body: `SAMLResponse=${'A'.repeat(bytes)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(bytes + 13) },
  });

describe('SAML ACS body limit', () => {
  it('accepts a 64 KiB SAMLResponse at the ACS (the org has no such provider here: 404, not 413)', async () => {
    const h = await createHarness();
    const response = await post(h, '/sso/saml/acme/okta/acs', 64 * 1024);
    expect(response.status).toBe(404);
  });

  it('refuses a body over 1 MiB at the ACS with an HTML 413 page, and 64 KiB at /login still gets 413', async () => {
    const h = await createHarness();
    const huge = await post(h, '/sso/saml/acme/okta/acs', 1024 * 1024 + 1);
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toContain('text/html');
    expect((await post(h, '/login', 64 * 1024)).status).toBe(413);
  });
});
