/**
 * The local error page: shown instead of redirecting when the redirect_uri
 * cannot be trusted (RFC 6749 §4.1.2.1), and for login/consent failures.
 * The internal `detail` of an OAuthError never appears here.
 */
import { html } from 'hono/html';
import { layout, htmlResponse } from './layout.ts';

export function errorPage(status: number, title: string, message: string, code?: string): Promise<Response> {
  const body = html`<p class="error" role="alert">${message}</p>
${code ? html`<p>Error code: <code>${code}</code></p>` : ''}
<p>You can close this window.</p>`;
  return htmlResponse(status, layout(title, body));
}
