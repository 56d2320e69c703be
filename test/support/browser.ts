// Debian's chromium driven by playwright-core (no browser download), with the flags this machine
// needs: no sandbox as root, and no background networking (the network is closed). Playwright
// gives every launch a fresh, empty profile of its own.
import { chromium, type Browser, type Page } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// What the page itself said: console messages, uncaught errors, failed and refused requests,
// with the time since it was watched. A wait that times out prints it, so a page that never
// started says why (a module that failed to load, a script error) instead of only "timed out".
const journals = new WeakMap<Page, string[]>();

export function watchPage(page: Page): Page {
  const started = Date.now();
  const lines: string[] = [];
  const note = (text: string) => {
    if (lines.length < 200) lines.push(`+${Date.now() - started} ms ${text}`);
  };
  page.on('console', (m) => note(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => note(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => note(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) note(`response ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.on('websocket', (ws) => {
    note(`websocket open: ${ws.url().replace(/token=[^&]*/, 'token=…')}`);
    ws.on('close', () => note('websocket closed'));
    ws.on('socketerror', (e) => note(`websocket error: ${e}`));
  });
  journals.set(page, lines);
  return page;
}

export function pageJournal(page: Page): string {
  const lines = journals.get(page);
  return lines === undefined ? '(page not watched)' : lines.length ? lines.join('\n') : '(the page said nothing)';
}

/** Waits for the live stream pill to say live; on a timeout, the error carries the page's journal. */
export async function waitForLive(page: Page, timeout = 30_000): Promise<void> {
  await page
    .locator('#stream[data-state="live"]')
    .waitFor({ timeout })
    .catch(async (error: Error) => {
      const state = await page
        .locator('#stream')
        .getAttribute('data-state')
        .catch(() => '?');
      throw new Error(`${error.message}\nstream pill data-state: ${state}\npage journal:\n${pageJournal(page)}`);
    });
}
