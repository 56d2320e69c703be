// The live page in fleet mode, in real Chromium: `shipwatch hub` serves the agent's page, which
// finds /api/hosts and shows a host selector and host-qualified names. Two agents (two hosts, on
// the one test daemon, so both report the same container) publish to a real nats-server; the
// hub's stream brings a new alert without a reload (and its host's incident with it), the selector
// scopes the view to one host, and Isolate from the hub's page isolates through the fleet bus on
// the container's own host.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { launchBrowser, waitForLive, watchPage } from '../support/browser.ts';
import { startHub, writeFleetConfig, type HubProcess } from '../support/fleet-setup.ts';
import { NatsCluster } from '../support/nats-cluster.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';

describe('the live page served by shipwatch hub (fleet mode)', () => {
  const cluster = new NatsCluster(1);
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-fleet-page-'));
  const name = uniqueName('fleet-page');
  const hostA = uniqueName('host-a');
  const hostB = uniqueName('host-b');
  let agents: AgentProcess[] = [];
  let hub: HubProcess;
  let browser: Browser;
  let page: Page;
  const rowOn = (host: string) => page.locator(`#containers tr[data-name="${name}"][data-host="${host}"]`);

  beforeAll(async () => {
    await Promise.all([cluster.start(), runContainer(name, ['--label', 'shipwatch.workload=e2e/fleet-page'])]);
    const config = (file: string, extra: Record<string, unknown>) =>
      writeFleetConfig(path.join(dir, file), cluster.urls, extra);
    [agents, hub] = await Promise.all([
      Promise.all([
        startAgent(['--config', config('a.yaml', { host: hostA })]),
        startAgent(['--config', config('b.yaml', { host: hostB })]),
      ]),
      startHub(config('hub.yaml', {})),
    ]);
    browser = await launchBrowser();
    page = watchPage(await browser.newPage({ viewport: { width: 1366, height: 900 } }));
    await page.goto(hub.baseUrl);
    await waitForLive(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([...agents.map((a) => a.stop()), hub?.stop()]);
    await removeContainers(name);
    await cluster.destroy();
  }, 60_000);

  it('shows both hosts in the selector and the container as host/name, the incidents, and the map explained', async () => {
    // Heartbeats come every 5 s: the hub knows a host, and its containers, within one.
    await rowOn(hostA).waitFor({ timeout: 15_000 });
    await rowOn(hostB).waitFor({ timeout: 15_000 });
    await expect(rowOn(hostA).locator('td').first().textContent()).resolves.toBe(`${hostA}/${name}`);
    await expect(page.locator('#host-scope').isVisible()).resolves.toBe(true);
    const options = await page
      .locator('#host-select option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['', hostA, hostB]));
    await expect(page.locator('#fleet-note').isVisible()).resolves.toBe(true);
    await expect(page.locator('#map-view').isHidden()).resolves.toBe(true);
    await expect(page.locator('#incidents-view').isVisible()).resolves.toBe(true);
  });

  it('brings a new alert and its incident from each host over the hub stream, and scopes all three to one host', async () => {
    await docker('exec', name, 'true');
    const alertOn = (host: string) =>
      page.locator('#alerts tr[data-rule="interactive_exec"]', { hasText: `${host}/${name}` });
    const incidentOn = (host: string) =>
      page.locator(`#incidents tbody tr[data-host="${host}"]`, { hasText: `${host}/${name}` });
    await alertOn(hostA).first().waitFor({ timeout: 15_000 });
    await alertOn(hostB).first().waitFor({ timeout: 15_000 });
    // The hub sends no incident messages: the page reads the incidents again after alerts arrive.
    await incidentOn(hostA).first().waitFor({ timeout: 15_000 });
    await incidentOn(hostB).first().waitFor({ timeout: 15_000 });
    await page.selectOption('#host-select', hostB);
    await rowOn(hostA).waitFor({ state: 'detached', timeout: 5000 });
    await expect(rowOn(hostB).count()).resolves.toBe(1);
    await alertOn(hostA).first().waitFor({ state: 'detached', timeout: 5000 });
    await expect(alertOn(hostB).count()).resolves.toBeGreaterThan(0);
    await incidentOn(hostA).first().waitFor({ state: 'detached', timeout: 5000 });
    await expect(incidentOn(hostB).count()).resolves.toBeGreaterThan(0);
    await page.selectOption('#host-select', '');
    await rowOn(hostA).waitFor({ timeout: 5000 });
  });

  it("isolates from the hub's page on the container's own host, over the fleet bus, and releases", async () => {
    await rowOn(hostA).locator('button[data-action="isolate"]').click();
    await expect(page.locator('#confirm-title').textContent()).resolves.toBe(`Isolate ${hostA}/${name}?`);
    await page.click('#confirm-ok');
    await page.locator('#outcome[data-kind="ok"]').waitFor({ timeout: 15_000 });
    // Host A's agent did it: its own API says so, and its next heartbeat shows it on the hub's page.
    const onA = (await (await fetch(`${agents[0]?.baseUrl}/api/containers`)).json()) as {
      name: string;
      state: string;
    }[];
    expect(onA.find((c) => c.name === name)?.state).toBe('isolated');
    const onB = (await (await fetch(`${agents[1]?.baseUrl}/api/containers`)).json()) as typeof onA;
    expect(onB.find((c) => c.name === name)?.state).not.toBe('isolated');
    await page.locator(`#containers tr[data-name="${name}"][data-host="${hostA}"][data-state="isolated"]`).waitFor({
      timeout: 15_000,
    });
    await page.locator('#outcome .audit[data-rule="container_isolated"]').waitFor({ timeout: 15_000 });
    await rowOn(hostA).locator('button[data-action="release"]').click();
    await page.click('#confirm-ok');
    await page
      .locator(`#containers tr[data-name="${name}"][data-host="${hostA}"]:not([data-state="isolated"])`)
      .waitFor({ timeout: 15_000 });
  });
});
