/**
 * Client metadata fields shared by dynamic registration (RFC 7591 §2) and
 * metadata documents: the zod pieces and the checks both apply. Values
 * shown to people (names, logo and policy links) are length-capped and
 * links must be https, because they end up on the consent page.
 */
import { z } from 'zod';
import { validateRedirectUri } from './redirect-uri.ts';

/**
 * Characters that make text shown to people say something other than what it
 * is (issue 10 #13): C0 and C1 controls, and the bidirectional overrides,
 * embeddings, isolates and marks that can reorder a name on the consent page
 * (`Acme\u202Eelgoog` renders as "Acmegoogle" spelt backwards). Refused, never stripped.
 */
export const DECEPTIVE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const withoutDeceptiveCharacters = (value: string): boolean => !DECEPTIVE_CHARACTERS.test(value);

export const httpsUrl = z
  .string()
  .max(2000)
  .refine((value) => value.startsWith('https://') && URL.canParse(value) && !value.includes('#') && withoutDeceptiveCharacters(value), { message: 'must be an https URL' });

export const redirectUrisField = z.array(z.string()).min(1);
export const grantTypesField = z.array(z.enum(['authorization_code', 'refresh_token'])).min(1);
export const responseTypesField = z.array(z.literal('code')).min(1);
export const clientNameField = z.string().trim().min(1).max(200).refine(withoutDeceptiveCharacters, { message: 'must not contain control or bidirectional formatting characters' });
export const scopeField = z.string().max(2000);

/** First redirect URI problem, if any (RFC 7591 §3.2.2 `invalid_redirect_uri`). */
export function firstRedirectUriProblem(uris: readonly string[]): string | undefined {
  for (const uri of uris) {
    const check = validateRedirectUri(uri);
    if (!check.ok) return check.reason;
  }
  return undefined;
}

/** Native when every redirect is loopback http or a private-use scheme (RFC 8252), otherwise web. */
export function inferApplicationType(uris: readonly string[]): 'native' | 'web' {
  const native = uris.every((uri) => !uri.startsWith('https://'));
  return native ? 'native' : 'web';
}

/** A compact description of the first zod issue, for error_description. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid client metadata';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
