// Debian's chromium driven by playwright-core (no browser download), with the flags this machine
// needs: no sandbox as root, and no background networking (the network is closed). Playwright
// gives every launch a fresh, empty profile of its own.
import { chromium, type Browser } from 'playwright-core';

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
