/**
 * A person at the keyboard: headless Chromium (Debian package) finds the
 * login and consent fields by their labels and buttons by their names, then
 * the navigation to the client's redirect URI is captured (nothing needs to
 * listen there).
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

export interface Person {
  email: string;
  password: string;
}

/** Signs in, picks the organization if asked, approves consent; returns the redirect URI reached. */
export async function loginAndConsent(browser: Browser, authorizationUrl: URL, redirectUri: string, person: Person): Promise<URL> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let reached: string | undefined;
    page.on('request', (request) => {
      if (!reached && request.isNavigationRequest() && request.url().startsWith(redirectUri)) reached = request.url();
    });
    await page.goto(authorizationUrl.href);
    await page.getByLabel(/e-?mail/i).fill(person.email);
    // Email first (issue 13): continue to the password step unless the page already asks for it.
    if ((await page.getByLabel(/password/i).count()) === 0) await page.getByRole('button', { name: /^continue/i }).click();
    await page.getByLabel(/password/i).fill(person.password);
    await submit(page, /^(sign in|log in|continue)/i);
    for (let step = 0; step < 5 && !reached; step++) {
      const approve = page.getByRole('button', { name: /^(approve|allow|authori[sz]e|accept)/i });
      if ((await approve.count()) > 0) {
        await submit(page, /^(approve|allow|authori[sz]e|accept)/i);
        continue;
      }
      const org = page.getByRole('radio');
      if ((await org.count()) > 0) {
        await org.first().check();
        await submit(page, /^(continue|next|select|use)/i);
        continue;
      }
      throw new Error(`unexpected page ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 300)}`);
    }
    if (!reached) throw new Error('the browser never reached the redirect URI');
    return new URL(reached);
  } finally {
    await context.close();
  }
}

async function submit(page: Page, name: RegExp): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 15_000 }).catch(() => undefined);
  await page.getByRole('button', { name }).first().click();
  await navigated;
  await page.waitForLoadState('domcontentloaded').catch(() => undefined);
}
