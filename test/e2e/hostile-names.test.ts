// Stored XSS and log injection through what a container's creator controls, in real Chromium: a
// workload label holding HTML, a newline and an ANSI escape, and an argv holding a script tag,
// reach the live page as text, never as markup; /metrics and the alert summaries stay one line
// each. Docker itself refuses a container *name* with markup (checked here too), so names are
// safe at the source. The page is opened with ?token=, which it must accept and drop from the
// address bar.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { launchBrowser, waitForLive, watchPage } from '../support/browser.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';

const TOKEN = 'e2e-token-0123456789abcdef';
const LABEL = `<img src=x onerror="window.__xss='label'">\n\u001b[31mred`;
const ARGV = `<script>window.__xss='argv'</script><img src=y onerror="window.__xss='argv'">`;

describe('hostile names on the live page', () => {
  const name = uniqueName('xss');
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-xss-'));
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;
  const authed = (p: string) => fetch(`${agent.baseUrl}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  beforeAll(async () => {
    writeFileSync(path.join(dir, 'tokens'), `e2e:${TOKEN}\n`);
    await runContainer(name, ['--label', `shipwatch.workload=${LABEL}`]);
    agent = await startAgent(['--token-file', path.join(dir, 'tokens')]);
    browser = await launchBrowser();
    page = watchPage(await browser.newPage());
    await page.goto(`${agent.baseUrl}/?token=${TOKEN}`);
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await removeContainers(name);
  });

  it('refuses markup in a container name at the source: Docker rejects it', async () => {
    await expect(runContainer('<img src=x onerror=alert(1)>')).rejects.toThrow(/Invalid container name/);
  });

  it('accepts ?token= and removes it from the address bar, with the stream live', async () => {
    await waitForLive(page);
    expect(page.url()).not.toContain('token');
  });

  it('shows a workload label and an argv full of markup as text, running none of it', async () => {
    await docker('exec', name, 'sh', '-c', `true '${ARGV}'`);
    const row = page.locator('#alerts tr[data-rule="interactive_exec"]', { hasText: name });
    await row.waitFor({ timeout: 10_000 });
    await expect(row.textContent()).resolves.toContain("<script>window.__xss='argv'</script>");
    const container = page.locator(`#containers tr[data-name="${name}"]`);
    await container.waitFor({ timeout: 10_000 });
    // The label's newline and escape arrive as visible escapes; its markup as text.
    await expect(container.locator('td').nth(1).textContent()).resolves.toBe(
      `<img src=x onerror="window.__xss='label'">\\x0a\\x1b[31mred`,
    );
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await page.locator('#alerts img, #alerts script, #containers img, #containers script').count()).toBe(0);
  });

  it('keeps every /metrics sample on one line and every alert summary free of control characters', async () => {
    const text = await (await authed('/metrics')).text();
    for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(/^(#|[a-zA-Z_:][a-zA-Z0-9_:]*(\{|\s))/);
    expect(text).not.toContain('\u001b');
    const { alerts } = (await (await authed(`/api/alerts?container=${name}`)).json()) as {
      alerts: { summary: string }[];
    };
    expect(alerts.length).toBeGreaterThan(0);
    // eslint-disable-next-line no-control-regex -- what must never reach a log line or Falco output
    for (const alert of alerts) expect(alert.summary).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});
