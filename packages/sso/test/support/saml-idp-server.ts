/**
 * The samlify test IdP as a web server, for browser tests: GET /sso shows
 * who is signing in with a "Sign in" button (the IdP's own login is not
 * under test); its POST answers with the IdP's usual HTML form carrying the
 * signed SAMLResponse to the SP's ACS and a "Continue" button. The SP's
 * metadata is fetched from the SP, as an IdP admin would import it.
 * A plain fetch handler (web-standard Request/Response).
 */
import type { TestIdp } from './saml-idp.ts';

export interface IdpUser {
  nameId: string;
  attributes: Record<string, string | string[]>;
}

const escapeHtml = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(title: string, body: string): Response {
  return new Response(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`, {
    headers: { 'content-type': 'text/html; charset=utf-8' },
  });
}

/** `user` is who signs in at the IdP (a function: a test may switch people between sign-ins); GET /metadata serves the IdP metadata. */
export function idpHandler(idp: TestIdp, user: () => IdpUser, spMetadataUrl: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/metadata') return new Response(idp.metadata, { headers: { 'content-type': 'application/samlmetadata+xml' } });
    if (request.method === 'GET' && url.pathname === '/sso') {
      const requestId = await idp.requestIdOf(request.url);
      return page(
        'Test IdP',
        `<p>Signing in as ${escapeHtml(user().nameId)}</p><form method="post" action="/sso"><input type="hidden" name="request" value="${escapeHtml(requestId)}"><button type="submit">Sign in</button></form>`,
      );
    }
    if (request.method === 'POST' && url.pathname === '/sso') {
      const form = new URLSearchParams(await request.text());
      const spMetadata = await (await fetch(spMetadataUrl)).text();
      const { nameId, attributes } = user();
      const response = await idp.respond(spMetadata, { inResponseTo: form.get('request'), nameId, attributes });
      const acs = /AssertionConsumerService[^>]*Location="([^"]+)"/.exec(spMetadata)?.[1] ?? '';
      return page(
        'Redirecting to the application',
        `<form method="post" action="${escapeHtml(acs)}"><input type="hidden" name="SAMLResponse" value="${escapeHtml(response)}"><input type="hidden" name="RelayState" value=""><button type="submit">Continue</button></form>`,
      );
    }
    return new Response('not found', { status: 404 });
  };
}
