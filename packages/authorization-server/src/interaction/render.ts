/** Builds the org-picker and consent pages for a pending authorization. */
import type { ServerContext } from '../context.ts';
import type { PendingAuthorization } from '../authorize/pending.ts';
import type { NextStep } from '../authorize/next-step.ts';
import type { ReconsentReason } from '../consent/reconsent.ts';
import { csrfToken } from '../session/csrf.ts';
import { htmlResponse } from '../views/layout.ts';
import { orgPage } from '../views/org-page.ts';
import { consentPage } from '../views/consent-page.ts';
import { resolveClient } from '../authorize/client-port.ts';

const NOTICES: Partial<Record<ReconsentReason, string>> = {
  new_scopes: 'This application now asks for more than you allowed before.',
  critical_consent_expired: 'Your approval of a critical permission has expired; please confirm it again.',
  role_no_longer_allows: 'Your role changed since you last approved this application.',
};

export async function renderOrgPicker(ctx: ServerContext, pending: PendingAuthorization, step: Extract<NextStep, { kind: 'pick_org' }>, browserSecret: string): Promise<Response> {
  const client = await resolveClient(ctx, pending.clientId);
  const orgs = (await Promise.all(step.memberships.map((m) => ctx.store.orgs.get(m.orgId)))).filter((o) => o !== undefined);
  orgs.sort((a, b) => a.name.localeCompare(b.name));
  const page = orgPage({ issuer: ctx.options.issuer, interactionId: pending.id, csrf: csrfToken(browserSecret, pending.id), clientName: client.name, orgs });
  return htmlResponse(200, page, { redirectUri: pending.redirectUri });
}

export async function renderConsent(ctx: ServerContext, pending: PendingAuthorization, step: Extract<NextStep, { kind: 'consent' }>, browserSecret: string): Promise<Response> {
  const { consent } = step;
  const org = consent.orgId === null ? undefined : await ctx.store.orgs.get(consent.orgId);
  const notice = step.reasons.map((r) => NOTICES[r]).find((n) => n !== undefined) ?? null;
  const page = consentPage({
    issuer: ctx.options.issuer,
    interactionId: pending.id,
    csrf: csrfToken(browserSecret, pending.id),
    logoutCsrf: csrfToken(browserSecret, 'logout'),
    client: consent.client,
    redirectUri: pending.redirectUri,
    resourceName: consent.resource.name,
    resourceUri: consent.resource.uri,
    orgId: consent.orgId,
    orgName: org?.name ?? null,
    userEmail: step.active.user.email,
    choices: consent.choices,
    notice,
  });
  return htmlResponse(200, page, { redirectUri: pending.redirectUri });
}
