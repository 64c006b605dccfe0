/**
 * `{subject}` and `{org}` in a stdio command's args, env and working
 * directory, and in a path prefix of the policy, become the caller's user id
 * and org id: one command line gives every user a directory of their own
 * (`/srv/acme/home/{subject}`). Ids that could change the meaning of a path
 * (`..`, a slash) are refused rather than substituted.
 */
const SAFE_ID = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]*$/;

export interface Identity {
  subject: string;
  orgId: string | null;
}

export const hasPlaceholder = (text: string): boolean => /\{(subject|org)\}/.test(text);

/** `text` with the placeholders filled, or undefined when an id is unsafe in a path. */
export function personalize(text: string, who: Identity): string | undefined {
  if (!hasPlaceholder(text)) return text;
  let unsafe = false;
  const filled = text.replace(/\{(subject|org)\}/g, (_match, name: string) => {
    const value = name === 'subject' ? who.subject : (who.orgId ?? '');
    if (!SAFE_ID.test(value) || value === '..' || value === '.') unsafe = true;
    return value;
  });
  return unsafe ? undefined : filled;
}
