/** The organization picker for users who belong to several (a labelled radio list). */
import { html } from 'hono/html';
import type { Organization } from '@gatehouse-auth/core';
import { layout, type Html } from './layout.ts';

export interface OrgPageInput {
  issuer: string;
  interactionId: string;
  csrf: string;
  clientName: string;
  orgs: Organization[];
}

export function orgPage(input: OrgPageInput): Html {
  const options = input.orgs.map(
    (org, i) => html`<div><input type="radio" id="org-${i}" name="org" value="${org.id}" required${i === 0 ? ' checked' : ''}>
<label for="org-${i}">${org.name}</label></div>`,
  );
  return layout(
    'Choose an organization',
    html`<p>Which organization should <strong>${input.clientName}</strong> act for?</p>
<form method="post" action="${input.issuer}/interaction/${input.interactionId}">
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="action" value="pick_org">
<fieldset>
<legend>Organization</legend>
${options}
</fieldset>
<button type="submit">Continue</button>
</form>`,
  );
}
