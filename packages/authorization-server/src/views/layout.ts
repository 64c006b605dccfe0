/**
 * The page shell every login, consent and error page shares: plain semantic
 * HTML, no scripts, no external resources (RFC 9700 §4.16: nothing a third
 * party could frame or track). hono/html escapes every interpolated value,
 * so client-supplied names and URIs can never become markup.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;margin:.5rem 0}input[type=email],input[type=password],input[type=text]{display:block;width:100%;padding:.4rem}
button{padding:.5rem 1rem;margin:.5rem .5rem 0 0}.warning{background:#fff4ce;border:1px solid #c9a400;padding:.5rem}
.disabled{color:#767676}.reason{font-style:italic}.error{color:#a4000f}fieldset{margin:1rem 0}li{margin:.4rem 0}
fieldset ul{list-style:none;padding:0;margin:0}fieldset li{display:grid;grid-template-columns:1.5rem 1fr;column-gap:.5rem;align-items:start}
fieldset li input{margin:.35rem 0 0}fieldset li label{margin:0}fieldset li .reason{grid-column:2}fieldset li .unlocks{grid-column:2;font-size:.9em;color:#444}fieldset .unlocks li{display:block;margin:.1rem 0}dd{margin:0 0 .3rem 1.5rem}`;

export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/**
 * Content-Security-Policy for a page whose form ends in a redirect to the
 * client: Chromium applies `form-action` to every hop of the navigation a
 * form starts, so the client's redirect origin must be listed or the final
 * 302/303 to the redirect_uri is blocked. Sources come from a parsed URL
 * (origin or scheme), so they cannot inject directives.
 */
export function pageCsp(redirectUri?: string): string {
  let formAction = "'self'";
  if (redirectUri) {
    try {
      const url = new URL(redirectUri);
      formAction += url.protocol === 'http:' || url.protocol === 'https:' ? ` ${url.origin}` : ` ${url.protocol}`;
    } catch {
      // Unparseable URIs never reach a page: the client check rejects them first.
    }
  }
  return `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

/** A complete HTML response: no caching (pages carry CSRF tokens), closed CSP. */
export async function htmlResponse(status: number, body: Html, options: { redirectUri?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return new Response(String(await body), {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'content-security-policy': pageCsp(options.redirectUri),
      ...options.headers,
    },
  });
}
