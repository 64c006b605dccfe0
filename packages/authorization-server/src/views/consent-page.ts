/**
 * The consent screen (MCP [S]: show the client and the redirect host, warn
 * when every redirect URI is on this machine). Each requested scope shows
 * its description and sensitivity and the tools, resources and prompts it
 * unlocks (as the resource server declared them); every one can be unticked
 * but required ones, which are locked (approve re-adds them whatever the
 * form says), and ones the user's role cannot grant are disabled with the
 * reason. Everything from the client is escaped by hono/html.
 */
import { html } from 'hono/html';
import { isLoopbackHost, type Client } from '@gatehouse-auth/core';
import type { ScopeChoice, Unlocks } from '../consent/plan.ts';
import { layout, type Html } from './layout.ts';

export interface ConsentPageInput {
  issuer: string;
  interactionId: string;
  csrf: string;
  logoutCsrf: string;
  client: Client;
  redirectUri: string;
  resourceName: string;
  resourceUri: string;
  orgId: string | null;
  orgName: string | null;
  userEmail: string;
  choices: ScopeChoice[];
  /** Why consent is asked again (shown so the user knows what changed). */
  notice: string | null;
}

/** Host of a URI for display; a private-use scheme shows as the scheme. */
function hostOf(uri: string): string {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : url.protocol.replace(/:$/, '');
  } catch {
    return uri;
  }
}

function loopbackOnly(client: Client): boolean {
  return (
    client.redirectUris.length > 0 &&
    client.redirectUris.every((uri) => {
      try {
        const url = new URL(uri);
        return url.protocol === 'http:' && isLoopbackHost(url.hostname);
      } catch {
        return false;
      }
    })
  );
}

const UNLOCK_LABELS = [
  ['tools', 'Tools'],
  ['resources', 'Resources'],
  ['prompts', 'Prompts'],
] as const;

/** "Tools: a, b" lines under a scope; nothing when the resource declared none. */
function unlocksList(unlocks: Unlocks, id: string): Html | string {
  const lines = UNLOCK_LABELS.filter(([kind]) => unlocks[kind].length > 0);
  if (lines.length === 0) return '';
  return html`<ul class="unlocks" id="${id}-unlocks" aria-label="Unlocks">${lines.map(([kind, label]) => html`<li>${label}: ${unlocks[kind].map((name, j) => html`${j > 0 ? ', ' : ''}<code>${name}</code>`)}</li>`)}</ul>`;
}

function scopeItem(choice: ScopeChoice, i: number): Html {
  const id = `scope-${i}`;
  const state = !choice.allowed ? ' disabled' : choice.optional ? ' checked' : ' checked disabled';
  return html`<li class="${choice.allowed ? '' : 'disabled'}">
<input type="checkbox" id="${id}" name="scope" value="${choice.name}"${state}>
<label for="${id}">${choice.description} <code>${choice.name}</code> <small>(${choice.sensitivity}${choice.optional ? ', optional' : ', required'})</small></label>
${choice.reason ? html`<span class="reason">${choice.reason}</span>` : ''}
${unlocksList(choice.unlocks, id)}
</li>`;
}

export function consentPage(input: ConsentPageInput): Html {
  const { client } = input;
  const isUrlClientId = client.id.startsWith('https://');
  return layout(
    `Allow ${client.name} to access ${input.resourceName}?`,
    html`<p>Signed in as <strong>${input.userEmail}</strong>${input.orgName ? html` for <strong>${input.orgName}</strong>` : ''}.</p>
<dl>
<dt>Application</dt><dd>${client.name}</dd>
${isUrlClientId ? html`<dt>Published by</dt><dd>${hostOf(client.id)}</dd>` : ''}
<dt>Will send you back to</dt><dd>${hostOf(input.redirectUri)}</dd>
<dt>Service</dt><dd>${input.resourceName} (${input.resourceUri})</dd>
</dl>
${loopbackOnly(client) ? html`<p class="warning" role="alert">Warning: this application only redirects to your own computer (localhost). Anyone can register such an application under any name. Continue only if you started this yourself.</p>` : ''}
${input.notice ? html`<p role="status">${input.notice}</p>` : ''}
<form method="post" action="${input.issuer}/interaction/${input.interactionId}">
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="org" value="${input.orgId ?? ''}">
<fieldset>
<legend>Permissions</legend>
${input.choices.length === 0 ? html`<p>No permissions are requested.</p>` : html`<ul>${input.choices.map(scopeItem)}</ul>`}
</fieldset>
<button type="submit" name="action" value="approve">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>
<form method="post" action="${input.issuer}/logout">
<input type="hidden" name="csrf" value="${input.logoutCsrf}">
<button type="submit">Not you? Sign out</button>
</form>`,
  );
}
