// The incidents view of the live page in real Chromium: an incident appears as it opens, and
// selecting it shows its alerts in order, the container's timeline and an Isolate button that
// works. A command line holding markup must show as text, never become an element.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { launchBrowser, waitForLive, watchPage } from '../support/browser.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('the incidents view of the live page', () => {
  const name = uniqueName('inc-page');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-inc-page-'));
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    writeFileSync(path.join(stateDir, 'shipwatch.yaml'), 'learn: 0s\n');
    await runContainer(name, ['--label', 'shipwatch.workload=e2e/incidents']);
    agent = await startAgent(['--config', path.join(stateDir, 'shipwatch.yaml'), '--state-dir', stateDir]);
    browser = await launchBrowser();
    page = watchPage(await browser.newPage());
    await page.goto(agent.baseUrl);
    await waitForLive(page);
  });

  afterAll(async () => {
    await fetch(`${agent.baseUrl}/api/containers/${name}/release`, { method: 'POST', body: '{}' }).catch(() => null);
    await browser?.close();
    await agent?.stop();
    await removeContainers(name);
  });

  it('shows the incident with its alerts in order and the timeline, markup as text', async () => {
    await docker('exec', name, 'sh', '-c', 'echo "<img src=x id=pwn>" > /usr/bin/dropped; sleep 0.5');
    const row = page.locator('#incidents tbody tr', { hasText: name });
    await row.first().waitFor({ timeout: 15_000 });
    await row.first().click();
    const alerts = page.locator('#incident-alerts li');
    await page.locator('#incident-alerts li', { hasText: 'sensitive_file_change' }).waitFor({ timeout: 15_000 });
    const texts = await alerts.allTextContents();
    const at = (rule: string) => texts.findIndex((t) => t.includes(rule));
    expect(at('interactive_exec')).toBeGreaterThanOrEqual(0);
    expect(at('interactive_exec')).toBeLessThan(at('sensitive_file_change'));
    const exec = page.locator('#incident-timeline li', { hasText: '<img src=x id=pwn>' });
    await waitFor(async () => (await exec.count()) > 0 || (await page.reload(), await row.first().click(), false), {
      timeout: 15_000,
      interval: 1000,
      what: 'the exec in the timeline',
    });
    expect(await page.locator('#pwn').count()).toBe(0);
    expect(await page.locator('#incident-detail img').count()).toBe(0);
    // SHIPWATCH_SCREENSHOTS_DIR=docs refreshes the README's picture of one incident.
    const shot = path.join(process.env.SHIPWATCH_SCREENSHOTS_DIR ?? stateDir, 'live-page-incident.png');
    await page.locator('#incidents-view').screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
  });

  it('isolates the container from the Isolate button beside the incident', async () => {
    const button = page.locator('#incident-isolate');
    await expect(button.textContent()).resolves.toBe(`isolate ${name}`);
    await button.click();
    // It asks first, naming the container, like every Isolate on the page.
    await expect(page.locator('#confirm-title').textContent()).resolves.toBe(`Isolate ${name}?`);
    await page.click('#confirm-ok');
    await waitFor(
      async () => {
        const info = (await (await fetch(`${agent.baseUrl}/api/containers/${name}`)).json()) as { state: string };
        return info.state === 'isolated';
      },
      { timeout: 20_000, what: 'the container isolated' },
    );
    // The response action is in the container's timeline too.
    await waitFor(
      async () => {
        const body = (await (await fetch(`${agent.baseUrl}/api/containers/${name}/timeline`)).json()) as {
          entries: { kind: string; action?: string }[];
        };
        return body.entries.some((e) => e.kind === 'action' && e.action === 'isolate');
      },
      { timeout: 10_000, what: 'the isolate action in the timeline' },
    );
  });
});
