import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { launchBrowser, waitForLive, watchPage } from '../support/browser.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';

describe('the live page', () => {
  const name = uniqueName('page');
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await runContainer(name, ['--label', 'shipwatch.workload=e2e/page']);
    agent = await startAgent();
    browser = await launchBrowser();
    page = watchPage(await browser.newPage());
    await page.goto(agent.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await removeContainers(name);
  });

  it('lists the running containers with their workload and state', async () => {
    const row = page.locator(`#containers tr[data-name="${name}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('e2e/page');
    await expect(row.locator('td').nth(2).textContent()).resolves.toMatch(/^(learning|monitoring)$/);
  });

  it('shows an alert as it happens, without a reload', async () => {
    await waitForLive(page);
    await docker('exec', name, 'true');
    const row = page.locator('#alerts tr[data-rule="interactive_exec"]', { hasText: name });
    await row.waitFor({ timeout: 5000 });
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('low');
  });

  it('shows the live stream connected and the health of the sources', async () => {
    await waitForLive(page);
    await expect(page.locator('#health').textContent()).resolves.toMatch(/^(ok|degraded)$/);
    await page.screenshot({ path: path.join(agent.stateDir, 'live-page.png'), fullPage: true });
    console.log(`screenshot: ${path.join(agent.stateDir, 'live-page.png')}`);
  });
});
