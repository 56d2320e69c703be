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

// On a Docker host Chromium aborts requests in flight whenever an interface appears (each
// container start adds a veth): net::ERR_NETWORK_CHANGED. Seen in CI as a page stuck at
// "connecting" because one aborted module failed the whole module graph.
describe('the live page when the network aborts its first requests', () => {
  const name = uniqueName('page-net');
  let agent: AgentProcess;
  let browser: Browser;

  beforeAll(async () => {
    await runContainer(name, ['--label', 'shipwatch.workload=e2e/page-net']);
    agent = await startAgent();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await removeContainers(name);
  });

  it('reloads once when a module is aborted, fetches the map library and the first reads again, and goes live', async () => {
    const page = watchPage(await browser.newPage());
    const aborted: string[] = [];
    const abortOnce = async (pattern: string) => {
      let done = false;
      await page.route(pattern, async (route) => {
        if (done) return route.continue();
        done = true;
        aborted.push(new URL(route.request().url()).pathname);
        return route.abort('internetdisconnected');
      });
    };
    await abortOnce('**/web/triage.js');
    await abortOnce('**/web/vendor/d3.min.js');
    await abortOnce('**/api/containers');
    await page.goto(agent.baseUrl);
    await waitForLive(page);
    await page.locator(`#containers tr[data-name="${name}"]`).waitFor({ timeout: 10_000 });
    expect(aborted.sort()).toEqual(['/api/containers', '/web/triage.js', '/web/vendor/d3.min.js']);
    // The map has its library (it was fetched again), and the reload counter is gone.
    await expect(page.locator('#map-missing').isHidden()).resolves.toBe(true);
    await expect(page.evaluate(() => sessionStorage.getItem('shipwatch-boot-failures'))).resolves.toBeNull();
  });
});
