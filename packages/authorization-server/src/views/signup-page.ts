/** The self-service sign-up form (shown only when the signup policy allows it). */
import { html } from 'hono/html';
import { layout, type Html } from './layout.ts';

export interface SignupPageInput {
  issuer: string;
  csrf: string;
  interactionId?: string | undefined;
  name?: string;
  email?: string;
  error?: string;
  allowedDomains: readonly string[];
}

export function signupPage(input: SignupPageInput): Html {
  return layout(
    'Create an account',
    html`${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${input.allowedDomains.length > 0 ? html`<p>Sign-up is open to addresses at: ${input.allowedDomains.join(', ')}.</p>` : ''}
<form method="post" action="${input.issuer}/signup">
<input type="hidden" name="csrf" value="${input.csrf}">
${input.interactionId ? html`<input type="hidden" name="interaction" value="${input.interactionId}">` : ''}
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="name" required value="${input.name ?? ''}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">Password (at least 10 characters)</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
<button type="submit">Create account</button>
</form>`,
  );
}
