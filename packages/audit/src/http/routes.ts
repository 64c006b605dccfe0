/**
 * The customer admin's audit surface as a Hono sub-app. It trusts an
 * organization id that the mounting app has already authenticated and
 * authorized (e.g. an org-admin session) and set with `orgIdOf`; it never
 * reads an org or chain from the request, so no query string can reach
 * another organization's records.
 *
 *   GET /records?user=&client=&tool=&result=&type=&since=&until=&limit=&cursor=&order=
 *   GET /records.jsonl   (the org's whole chain as JSON Lines, seq order)
 *   GET /verify          (verifies the org's chain)
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import type { AuditStore } from '@gatehouse-auth/store';
import { canonicalJson } from '../canonical.ts';
import { orgAuditReader, MAX_PAGE } from '../query.ts';
import { normalizeTime } from '../time.ts';
import { verifyChain } from '../verify.ts';

export interface AuditRoutesOptions {
  store: AuditStore;
  /** The authenticated admin's organization; undefined → 403. */
  orgIdOf: (c: Context) => string | undefined;
  publicKeys?: KeyObject[];
}

const timestamp = z.string().transform((value, ctx) => {
  try {
    return normalizeTime(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not an RFC 3339 timestamp' });
    return z.NEVER;
  }
});

const querySchema = z.object({
  user: z.string().min(1).optional(),
  client: z.string().min(1).optional(),
  tool: z.string().min(1).optional(),
  result: z.enum(['success', 'failure', 'denied']).optional(),
  type: z.string().min(1).optional(),
  since: timestamp.optional(),
  until: timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
  cursor: z.coerce.number().int().min(0).optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export function auditRoutes(options: AuditRoutesOptions): Hono {
  const app = new Hono();
  const orgOr403 = (c: Context) => options.orgIdOf(c);

  app.get('/records', async (c) => {
    const orgId = orgOr403(c);
    if (orgId === undefined) return c.json({ error: 'forbidden' }, 403);
    const parsed = querySchema.safeParse(c.req.query());
    if (!parsed.success) return c.json({ error: 'invalid_request', error_description: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }, 400);
    const q = parsed.data;
    const page = await orgAuditReader(options.store, orgId).query({
      userId: q.user,
      clientId: q.client,
      tool: q.tool,
      result: q.result,
      type: q.type,
      from: q.since,
      to: q.until,
      limit: q.limit,
      cursor: q.cursor,
      order: q.order,
    });
    c.header('Cache-Control', 'no-store');
    return c.json(page);
  });

  app.get('/records.jsonl', async (c) => {
    const orgId = orgOr403(c);
    if (orgId === undefined) return c.json({ error: 'forbidden' }, 403);
    const reader = orgAuditReader(options.store, orgId);
    const lines: string[] = [];
    let cursor: number | undefined;
    do {
      const page = await reader.query({ order: 'asc', limit: MAX_PAGE, cursor });
      for (const record of page.records) lines.push(`${canonicalJson(record)}\n`);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return c.body(lines.join(''), 200, { 'Content-Type': 'application/jsonl; charset=utf-8', 'Cache-Control': 'no-store' });
  });

  app.get('/verify', async (c) => {
    const orgId = orgOr403(c);
    if (orgId === undefined) return c.json({ error: 'forbidden' }, 403);
    const result = await verifyChain(options.store, orgId, { publicKeys: options.publicKeys });
    c.header('Cache-Control', 'no-store');
    return c.json(result);
  });

  return app;
}
