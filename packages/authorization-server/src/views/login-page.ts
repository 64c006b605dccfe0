/**
 * The sign-in pages, email first (issue 13): the email step, then either the
 * password step or the organization's identity providers (with the password
 * form too unless the org enforces SSO). Fields are found by their labels
 * (people and tests alike).
 */
import { html } from 'hono/html';
import { layout, type Html } from './layout.ts';

export interface LoginPageInput {
  issuer: string;
  csrf: string;
  interactionId?: string | undefined;
  email?: string;
  error?: string;
  signupOpen: boolean;
  /** `email`: ask only the email (first step); `password`: email and password. Default `email`. */
  step?: 'email' | 'password';
  /** The org the email's domain belongs to and its identity providers (SSO step). */
  sso?: { orgName: string; providers: Array<{ label: string; href: string }>; passwordAllowed: boolean } | undefined;
}

function passwordForm(input: LoginPageInput): Html {
  return html`<form method="post" action="${input.issuer}/login">
<input type="hidden" name="csrf" value="${input.csrf}">
${input.interactionId ? html`<input type="hidden" name="interaction" value="${input.interactionId}">` : ''}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>`;
}

function emailForm(input: LoginPageInput): Html {
  return html`<form method="post" action="${input.issuer}/login">
<input type="hidden" name="csrf" value="${input.csrf}">
${input.interactionId ? html`<input type="hidden" name="interaction" value="${input.interactionId}">` : ''}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${input.email ?? ''}">
<button type="submit">Continue</button>
</form>`;
}

function ssoChoice(input: LoginPageInput, sso: NonNullable<LoginPageInput['sso']>): Html {
  return html`<p>${sso.orgName} signs you in through its identity provider.</p>
<ul>${sso.providers.map((p) => html`<li><a href="${p.href}">Continue with ${p.label}</a></li>`)}</ul>
${sso.passwordAllowed ? html`<p>Or sign in with your Gatehouse password:</p>${passwordForm(input)}` : ''}`;
}

export function loginPage(input: LoginPageInput): Html {
  const signupHref = `${input.issuer}/signup${input.interactionId ? `?interaction=${encodeURIComponent(input.interactionId)}` : ''}`;
  const body = input.sso ? ssoChoice(input, input.sso) : input.step === 'password' ? passwordForm(input) : emailForm(input);
  return layout(
    'Sign in',
    html`${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${body}
${input.signupOpen ? html`<p>No account yet? <a href="${signupHref}">Create one</a></p>` : ''}`,
  );
}
