// The live page against an agent with a token file, in real Chromium: Isolate asks for the token
// when the agent answers 401, the token stays in the tab's session storage (never in the address),
// the stream connects with it, and the action is recorded under the token's name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { launchBrowser, pageJournal, waitForLive, watchPage } from '../support/browser.ts';
import { removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('the live page with a token file', () => {
  const name = uniqueName('map-tok');
  const secret = 'e2e-page-token-0123456789';
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-map-token-'));
    const tokenFile = path.join(dir, 'tokens');
    writeFileSync(tokenFile, `soc:${secret}\n`, { mode: 0o600 });
    await runContainer(name, ['--label', 'shipwatch.workload=e2e/token']);
    agent = await startAgent(['--token-file', tokenFile]);
    browser = await launchBrowser();
    page = watchPage(await browser.newPage({ viewport: { width: 1366, height: 900 } }));
    await page.goto(agent.baseUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await removeContainers(name);
  });

  it('asks for the token on Isolate, keeps it in session storage only, and the stream then connects', async () => {
    await waitFor(async () => (await page.locator('#stream').getAttribute('data-state'))?.includes('token'), {
      timeout: 20_000,
      what: 'the stream pill to say a token may be needed',
    }).catch(async (error: Error) => {
      throw new Error(
        `${error.message}; pill: ${await page.locator('#stream').getAttribute('data-state')}\npage journal:\n${pageJournal(page)}`,
      );
    });
    const row = page.locator(`#containers tr[data-name="${name}"]`);
    await row.locator('button[data-action="isolate"]').click();
    await expect(page.locator('#confirm-token-row').isHidden()).resolves.toBe(true);
    await page.click('#confirm-ok');
    // The agent answered 401: the same confirmation comes back, now asking for the token.
    await page.locator('#confirm-token-row').waitFor({ state: 'visible', timeout: 5000 });
    await expect(page.locator('#confirm-error').textContent()).resolves.toContain('needs a token');
    await page.fill('#confirm-token', secret);
    await page.click('#confirm-ok');
    await page.locator(`#containers tr[data-name="${name}"][data-state="isolated"]`).waitFor({ timeout: 15_000 });
    await waitForLive(page);
    await page.locator('#outcome .audit[data-rule="container_isolated"]').waitFor({ timeout: 10_000 });
    await expect(page.evaluate(() => sessionStorage.getItem('shipwatch-token'))).resolves.toBe(secret);
    expect(page.url()).not.toContain(secret);
    const isolations = (await (await fetch(`${agent.baseUrl}/api/alerts?rule=container_isolated`)).json()) as {
      alerts: { details: { action: { actor: string } } }[];
    };
    expect(isolations.alerts.map((a) => a.details.action.actor)).toEqual(['soc']);
    await row.locator('button[data-action="release"]').click();
    await page.click('#confirm-ok');
    await page.locator(`#containers tr[data-name="${name}"]:not([data-state="isolated"])`).waitFor({ timeout: 15_000 });
  });
});
