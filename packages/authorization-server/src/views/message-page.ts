/** A plain informational page (signed in, signed out). */
import { html } from 'hono/html';
import { layout, htmlResponse } from './layout.ts';

export function messagePage(title: string, message: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return htmlResponse(200, layout(title, html`<p role="status">${message}</p>`), { headers: extraHeaders });
}
