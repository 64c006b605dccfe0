/**
 * The page a setup link opens (issue 13 item 5): what the company's IT
 * registers at its IdP (redirect URI; SAML SP metadata and ACS URLs), the
 * org's identity providers (never a secret), the form that adds or
 * replaces an OIDC provider, and the org's SCIM base URL and token button.
 * Fields are found by their labels.
 */
import { html } from 'hono/html';
import { layout, type Html } from './layout.ts';

export interface SetupPageInput {
  issuer: string;
  orgSlug: string;
  orgName: string;
  action: string;
  csrf: string;
  expiresAt: number;
  providers: Array<{ id: string; type: string; source: string; label: string; removable: boolean }>;
  message?: string | undefined;
  error?: string | undefined;
  /** Whether the org has a SCIM token already (the button then rotates it). */
  hasScimToken: boolean;
  /** A SCIM token just issued: shown on this page only. */
  scimToken?: string | undefined;
}

export function setupPage(input: SetupPageInput): Html {
  const base = `${input.issuer}/sso/${input.orgSlug}`;
  return layout(
    `Set up sign-in for ${input.orgName}`,
    html`${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}${input.message ? html`<p role="status">${input.message}</p>` : ''}
<p>This link lets you configure how people of ${input.orgName} sign in. It expires ${new Date(input.expiresAt).toISOString()} and gives no other access.</p>
<h2>Identity providers</h2>
${
  input.providers.length === 0
    ? html`<p>None yet.</p>`
    : html`<ul>${input.providers.map(
        (p) =>
          html`<li>${p.label} (${p.id}, ${p.type}${p.source === 'config' ? ', managed by the server configuration' : ''})${
            p.removable
              ? html`<form method="post" action="${input.action}/identity-providers/${p.id}/remove"><input type="hidden" name="csrf" value="${input.csrf}"><button type="submit">Remove ${p.id}</button></form>`
              : ''
          }</li>`,
      )}</ul>`
}
<h2>OpenID Connect (Okta, Entra ID, Google Workspace)</h2>
<p>Register this redirect URI at your identity provider: <code>${base}/&lt;provider id&gt;/callback</code>, e.g. <code>${base}/okta/callback</code>.</p>
<form method="post" action="${input.action}/identity-providers">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="id">Provider id</label>
<input id="id" name="id" type="text" required pattern="[a-z0-9][a-z0-9-]{0,62}" value="okta">
<label for="name">Name shown on the login page</label>
<input id="name" name="name" type="text">
<label for="issuer">Issuer URL</label>
<input id="issuer" name="issuer" type="text" required placeholder="https://acme.okta.com">
<label for="client_id">Client ID</label>
<input id="client_id" name="client_id" type="text" required>
<label for="client_secret">Client secret</label>
<input id="client_secret" name="client_secret" type="password" autocomplete="off">
<label for="groups_claim">Groups claim</label>
<input id="groups_claim" name="groups_claim" type="text" value="groups">
<label for="email_verified_claim">Email-verified claim (Entra ID: xms_edov)</label>
<input id="email_verified_claim" name="email_verified_claim" type="text" value="email_verified">
<button type="submit">Save identity provider</button>
</form>
<h2>SAML 2.0</h2>
<p>Service provider metadata URL: <code>${input.issuer}/sso/saml/${input.orgSlug}/&lt;provider id&gt;/metadata</code></p>
<p>Assertion Consumer Service (ACS) URL: <code>${input.issuer}/sso/saml/${input.orgSlug}/&lt;provider id&gt;/acs</code></p>
<p>Create a SAML application at your IdP with these two URLs, then paste what its console shows (the entity id, the single sign-on URL and the signing certificate). Signed assertions are required.</p>
<form method="post" action="${input.action}/identity-providers">
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="type" value="saml">
<label for="saml_id">SAML provider id</label>
<input id="saml_id" name="id" type="text" required pattern="[a-z0-9][a-z0-9-]{0,62}" value="saml">
<label for="saml_name">SAML name shown on the login page</label>
<input id="saml_name" name="name" type="text">
<label for="entity_id">IdP entity id (Issuer)</label>
<input id="entity_id" name="entity_id" type="text" required>
<label for="sso_url">IdP single sign-on URL (HTTP-Redirect)</label>
<input id="sso_url" name="sso_url" type="text" required placeholder="https://acme.okta.com/app/…/sso/saml">
<label for="certificate">IdP signing certificate (PEM)</label>
<textarea id="certificate" name="certificate" rows="6" required></textarea>
<label for="email_attribute">Email attribute</label>
<input id="email_attribute" name="email_attribute" type="text" value="email">
<label for="name_attribute">Name attribute</label>
<input id="name_attribute" name="name_attribute" type="text" value="name">
<label for="groups_attribute">Groups attribute</label>
<input id="groups_attribute" name="groups_attribute" type="text" value="groups">
<button type="submit">Save SAML provider</button>
</form>
<h2>SCIM provisioning</h2>
<p>SCIM base URL: <code>${input.issuer}/scim/v2/${input.orgSlug}</code> (bearer token authentication).</p>
${input.scimToken ? html`<p role="status">Your SCIM token (copy it now: it is not shown again): <code>${input.scimToken}</code></p>` : ''}<form method="post" action="${input.action}/scim-token">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit">${input.hasScimToken ? 'Rotate SCIM token' : 'Create SCIM token'}</button>
</form>
${input.hasScimToken ? html`<p>Rotating replaces the current token at once: the directory using it stops syncing until given the new one.</p>` : ''}`,
  );
}
