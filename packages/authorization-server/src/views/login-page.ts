/** The sign-in form. Fields are found by their labels (people and tests alike). */
import { html } from 'hono/html';
import { layout, type Html } from './layout.ts';

export interface LoginPageInput {
  issuer: string;
  csrf: string;
  interactionId?: string | undefined;
  email?: string;
  error?: string;
  signupOpen: boolean;
}

export function loginPage(input: LoginPageInput): Html {
  const signupHref = `${input.issuer}/signup${input.interactionId ? `?interaction=${encodeURIComponent(input.interactionId)}` : ''}`;
  return layout(
    'Sign in',
    html`${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="${input.issuer}/login">
<input type="hidden" name="csrf" value="${input.csrf}">
${input.interactionId ? html`<input type="hidden" name="interaction" value="${input.interactionId}">` : ''}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
${input.signupOpen ? html`<p>No account yet? <a href="${signupHref}">Create one</a></p>` : ''}`,
  );
}
