/**
 * What counts as an email address in the sign-in and sign-up forms: one
 * `@`, a dotted domain, no spaces, at most 254 characters (RFC 5321
 * §4.5.3.1.3's path limit). Deliberately loose: it only has to tell an
 * address from, say, a password typed into the wrong field, which must
 * never be stored (issue 10 #11).
 */
export const EMAIL_ADDRESS = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/;

export const isEmailAddress = (value: string): boolean => value.length <= 254 && EMAIL_ADDRESS.test(value);
