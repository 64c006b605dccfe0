/**
 * The person in the loop: headless Chromium (the Debian package, never a
 * downloaded browser) driven by playwright-core. Fields and buttons are
 * found by their accessible labels, as a person finds them, so a login or
 * consent page that is not labelled properly fails these tests.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface LoginAs {
  email: string;
  password: string;
  /** Organization to pick when the user belongs to several (its display name). */
  org?: string;
  /** Optional scopes to untick on the consent screen (scope name or description). */
  untick?: string[];
  /** Press Deny instead of Approve on the consent screen. */
  deny?: boolean;
  /** True once the flow has reached where the caller stops (usually the client's redirect URI). */
  until: (url: string) => boolean;
}

const CONSENT_APPROVE = /^(approve|allow|authori[sz]e|accept|grant)\b/i;
const CONSENT_DENY = /^(deny|reject|cancel|decline)\b/i;
const LOGIN_SUBMIT = /^(sign in|log in|login|continue|next)\b/i;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * From a page showing Gatehouse's login form, signs in, picks the
 * organization if asked, answers the consent screen, and returns the URL the
 * browser was finally sent to (the client's redirect URI with its query).
 */
export async function browserLogin(page: Page, as: LoginAs): Promise<string> {
  await signInWithPassword(page, as.email, as.password);
  return finishAuthorization(page, as);
}

/** After signing in (by password or through an IdP): picks the organization if asked, answers consent, until `as.until`. */
export async function finishAuthorization(page: Page, as: Omit<LoginAs, 'email' | 'password'>): Promise<string> {
  for (let step = 0; step < 6; step++) {
    if (as.until(page.url())) return page.url();
    const approve = page.getByRole('button', { name: CONSENT_APPROVE });
    if (await exists(approve)) {
      for (const scope of as.untick ?? []) await page.getByRole('checkbox', { name: new RegExp(escapeRegExp(scope), 'i') }).uncheck();
      const button = as.deny ? page.getByRole('button', { name: CONSENT_DENY }) : approve;
      await clickAndSettle(page, button.first());
      continue;
    }
    if (await pickOrganization(page, as.org)) continue;
    if (await exists(page.getByLabel(/password/i))) throw new Error(`login was refused: ${await visibleText(page)}`);
    throw new Error(`unexpected page ${page.url()}: ${await visibleText(page)}`);
  }
  throw new Error(`the browser never reached the redirect URI; last page ${page.url()}`);
}

/**
 * The email-first login (issue 13): types the email, continues to the
 * password step and signs in. Works on a page that already asks for both.
 */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel(/e-?mail/i).fill(email);
  if (!(await exists(page.getByLabel(/password/i)))) await clickAndSettle(page, page.getByRole('button', { name: LOGIN_SUBMIT }));
  await page.getByLabel(/password/i).fill(password);
  await clickAndSettle(page, page.getByRole('button', { name: LOGIN_SUBMIT }));
}

/**
 * Opens an authorization URL in a fresh browser context, logs in, and
 * returns the URL Gatehouse finally redirected to. Nothing needs to listen
 * at `redirectUri`: the navigation request itself is captured (Playwright
 * cannot route the target of a redirect).
 */
export async function authorizeInBrowser(browser: Browser, authorizationUrl: string | URL, redirectUri: string, as: Omit<LoginAs, 'until'>): Promise<URL> {
  const context = await browser.newContext();
  try {
    return await authorizeInContext(context, authorizationUrl, redirectUri, as);
  } finally {
    await context.close();
  }
}

/** As `authorizeInBrowser`, in a context the caller owns (to inspect its cookies, or accept a test certificate). */
export async function authorizeInContext(context: BrowserContext, authorizationUrl: string | URL, redirectUri: string, as: Omit<LoginAs, 'until'>): Promise<URL> {
  const page = await context.newPage();
  try {
    let reached: string | undefined;
    page.on('request', (request) => {
      if (!reached && request.isNavigationRequest() && request.url().startsWith(redirectUri)) reached = request.url();
    });
    await page.goto(String(authorizationUrl));
    await browserLogin(page, { ...as, until: () => reached !== undefined });
    return new URL(reached!);
  } finally {
    await page.close();
  }
}

async function pickOrganization(page: Page, org: string | undefined): Promise<boolean> {
  const name = org ? new RegExp(escapeRegExp(org), 'i') : undefined;
  const radio = name ? page.getByRole('radio', { name }) : page.getByRole('radio');
  if (await exists(radio)) {
    await radio.first().check();
    await clickAndSettle(page, page.getByRole('button', { name: /^(continue|next|select|choose|use)\b/i }).first());
    return true;
  }
  if (name) {
    const button = page.getByRole('button', { name });
    if (await exists(button)) {
      await clickAndSettle(page, button.first());
      return true;
    }
  }
  return false;
}

async function clickAndSettle(page: Page, target: Locator): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 15_000 }).catch(() => undefined);
  await target.click();
  await navigated;
  await page.waitForLoadState('domcontentloaded').catch(() => undefined);
}

const exists = async (locator: Locator): Promise<boolean> => (await locator.count()) > 0;

async function visibleText(page: Page): Promise<string> {
  const text = await page
    .locator('body')
    .innerText()
    .catch(() => '');
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
