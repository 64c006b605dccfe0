/**
 * Reads a form POSTed by one of our own pages. Every form Gatehouse renders
 * is application/x-www-form-urlencoded (no file uploads), so that is the
 * only type accepted: anything else, a malformed multipart body included,
 * is a 400 page for the caller rather than a parser exception (issue 10
 * finding 7: a broken multipart body answered 500 with a stack trace).
 * A name sent more than once keeps every value, in order.
 */
import type { Context } from 'hono';

export type PageForm = Readonly<Record<string, string | string[]>>;

/** The form's fields, or undefined when the body is not a URL-encoded form. */
export async function readPageForm(c: Context): Promise<PageForm | undefined> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(await c.req.text())) {
    const seen = form[name];
    form[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return form;
}

/** A field's single value; a missing or repeated field is not a value. */
export const formField = (form: PageForm, name: string): string | undefined => {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
};
