// The live page a SOC keeps open, in real Chromium against the real agent and the private dockerd:
// a small app (web → api → db, on two networks) talks every second; the map must show it, mark a
// cross-segment flow, and the triage and response views must work without a reload, including
// across a dropped WebSocket. Screenshots go to SHIPWATCH_SCREENSHOTS_DIR (docs/ when refreshed).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { launchBrowser, waitForLive, watchPage } from '../support/browser.ts';
import { docker, removeContainers, removeNetworks, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const XSS_WORKLOAD = 'e2e/<img src=x onerror=window.__xss=1>';
const loop = (target: string) =>
  `i=0; while [ $i -lt 300 ]; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 1 ${target} >/dev/null; i=$((i+1)); sleep 1; done; sleep 600`;

describe('the live page: map, triage and response during a running app', () => {
  const front = uniqueName('mapf');
  const back = uniqueName('mapb');
  const [web, api, db, odd] = ['web', 'api', 'db', 'odd'].map((n) => uniqueName(`map-${n}`)) as [
    string,
    string,
    string,
    string,
  ];
  const ruleComment = `shipwatch-test-${web}`;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-map-'));
  const shots = process.env.SHIPWATCH_SCREENSHOTS_DIR ?? stateDir;
  let ruleInserted = false;
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;
  // The page's stream goes through this route, so a test can drop it like a network would.
  let streamBlocked = false;
  const streams: WebSocketRoute[] = [];

  const edge = (source: string, target: string) =>
    page.locator(`#map-svg g.edge[data-source="${source}"][data-target="${target}"]`);
  const containerRow = (name: string) => page.locator(`#containers tr[data-name="${name}"]`);

  beforeAll(async () => {
    const config = path.join(stateDir, 'shipwatch.yaml');
    // nc is how web and api talk; a SOC would suppress exactly that.
    writeFileSync(
      config,
      [
        'learn: 4s',
        'suppressions:',
        ...['e2e/web', 'e2e/api'].map(
          (w) => `  - { workload: ${w}, rule: suspicious_process, match: "network_tool:nc", reason: "HTTP client" }`,
        ),
      ].join('\n'),
    );
    await docker('network', 'create', front);
    await docker('network', 'create', back);
    await runContainer(
      db,
      ['--network', back, '--network-alias', 'db', '--label', 'shipwatch.workload=e2e/db'],
      ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www'],
    );
    await docker(
      'create',
      '--pull=never',
      '--name',
      api,
      '--network',
      front,
      '--network-alias',
      'api',
      '--label',
      'shipwatch.workload=e2e/api',
      'shipwatch-test/busybox:latest',
      'sh',
      '-c',
      `mkdir -p /www && echo ok > /www/index.html && httpd -p 8080 -h /www; ${loop('db 80')}`,
    );
    await docker('network', 'connect', '--alias', 'api', back, api);
    await docker('start', api);
    await runContainer(
      web,
      ['--network', front, '--label', 'shipwatch.workload=e2e/web'],
      ['sh', '-c', loop('api 8080')],
    );
    // Markup in a label must reach the page as text.
    await runContainer(odd, ['--network', front, '--label', `shipwatch.workload=${XSS_WORKLOAD}`]);
    agent = await startAgent(['--config', config, '--state-dir', stateDir]);
    browser = await launchBrowser();
    page = watchPage(await browser.newPage({ viewport: { width: 1366, height: 900 } }));
    await page.routeWebSocket(/\/api\/stream/, (ws) => {
      if (streamBlocked) return void ws.close({ code: 1001, reason: 'test: network down' });
      ws.connectToServer();
      streams.push(ws);
    });
    await page.goto(agent.baseUrl);
    // The first page of a cold Chromium, with the other e2e files' browsers starting beside it on
    // 2 cores: in a fresh-clone run this took over 10 s.
    await waitForLive(page);
  }, 120_000);

  afterAll(async () => {
    if (ruleInserted)
      await run('iptables', ['-D', 'DOCKER-USER', '-m', 'comment', '--comment', ruleComment, '-j', 'ACCEPT']);
    await browser?.close();
    await agent?.stop();
    await removeContainers(web, api, db, odd);
    await removeNetworks(front, back);
  });

  it('shows the running workloads grouped by network and an edge for their traffic', async () => {
    for (const w of ['e2e/web', 'e2e/api', 'e2e/db']) {
      await page.locator(`#map-svg g.node[data-id="w:${w}"]`).waitFor({ timeout: 15_000 });
    }
    await edge('w:e2e/web', 'w:e2e/api').waitFor({ timeout: 15_000 });
    await edge('w:e2e/api', 'w:e2e/db').waitFor({ timeout: 15_000 });
    await expect(edge('w:e2e/web', 'w:e2e/api').locator('text').textContent()).resolves.toMatch(/^tcp\/8080 · \d/);
    await expect(page.locator('#map-svg g.group text').allTextContents()).resolves.toEqual(
      expect.arrayContaining([front, back]),
    );
    // Learning or monitoring is written under the node, not only drawn.
    await expect(page.locator('#map-svg g.node[data-id="w:e2e/db"] .node-state').textContent()).resolves.toMatch(
      /^(learning|monitoring)$/,
    );
  });

  it('renders markup from a container label as text, on the map and in the containers table', async () => {
    const node = page.locator('#map-svg g.node', { hasText: XSS_WORKLOAD });
    await node.waitFor({ timeout: 10_000 });
    await expect(node.locator('.node-label').textContent()).resolves.toBe(XSS_WORKLOAD);
    await expect(containerRow(odd).locator('td').nth(1).textContent()).resolves.toBe(XSS_WORKLOAD);
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).resolves.toBeUndefined();
  });

  it('marks the edge of a cross-segment flow, and its alert arrives without a reload', async () => {
    await run('iptables', ['-I', 'DOCKER-USER', '-m', 'comment', '--comment', ruleComment, '-j', 'ACCEPT']);
    ruleInserted = true;
    const dbIp = await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${back}").IPAddress}}`, db);
    await docker('exec', web, 'sh', '-c', `printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 ${dbIp} 80 || true`);
    const marked = edge('w:e2e/web', 'w:e2e/db');
    await marked.waitFor({ timeout: 15_000 });
    await waitFor(async () => (await marked.getAttribute('data-marks'))?.includes('cross-segment'), {
      timeout: 10_000,
      what: 'the web → db edge marked cross-segment',
    });
    await expect(marked.locator('text').textContent()).resolves.toContain('⚠ cross-segment');
    await page
      .locator('#alerts tr[data-rule="cross_segment_traffic"]', { hasText: web })
      .first()
      .waitFor({ timeout: 10_000 });
    await expect(page.locator('#severity-counts [data-severity="high"]').getAttribute('data-count')).resolves.not.toBe(
      '0',
    );
  });

  it("opens an alert's details: its flow, MITRE tactic and technique, count, first and last seen", async () => {
    await page.locator('#alerts tr[data-rule="cross_segment_traffic"]', { hasText: web }).first().click();
    const details = page.locator('#alert-details');
    await details.waitFor({ state: 'visible', timeout: 5000 });
    const text = (await details.textContent()) ?? '';
    for (const label of ['MITRE tactic', 'MITRE technique', 'count', 'first seen', 'last seen', 'flow', 'dst']) {
      expect(text).toContain(label);
    }
    const dbIp = await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${back}").IPAddress}}`, db);
    expect(text).toContain(dbIp);
    await page.locator('#triage-view').screenshot({ path: path.join(shots, 'live-page-triage.png') });
  });

  it('filters alerts by rule and severity', async () => {
    const shown = (key: 'rule' | 'severity') =>
      page.locator('#alerts tbody tr').evaluateAll((rows, k) => [...new Set(rows.map((r) => r.dataset[k]))], key);
    try {
      await page.selectOption('#filter-rule', 'cross_segment_traffic');
      await waitFor(async () => (await shown('rule')).join() === 'cross_segment_traffic', {
        timeout: 5000,
        what: 'only cross_segment_traffic rows',
      });
      await page.selectOption('#filter-rule', '');
      await page.selectOption('#filter-severity', 'high');
      await waitFor(async () => (await shown('severity')).join() === 'high', { timeout: 5000, what: 'only high rows' });
      await expect(page.locator('#alert-count').textContent()).resolves.toMatch(/^\(\d+ of \d+\)$/);
    } finally {
      await page.click('#filters-clear');
    }
  });

  it('asks before isolating, isolates once, shows the state and the audit alert; Release restores', async () => {
    const row = containerRow(web);
    await row.locator('button[data-action="isolate"]').click();
    const dialog = page.locator('#confirm');
    await dialog.waitFor({ state: 'visible' });
    await expect(page.locator('#confirm-title').textContent()).resolves.toBe(`Isolate ${web}?`);
    await expect(page.locator('#confirm-effect').textContent()).resolves.toContain(front);
    // Cancel changes nothing.
    await page.click('#confirm button[value="cancel"]');
    await expect(row.getAttribute('data-state')).resolves.not.toBe('isolated');

    await row.locator('button[data-action="isolate"]').click();
    await page.fill('#confirm-reason', 'e2e: suspected lateral movement');
    // The button is disabled while the request is in flight: a second click cannot fire again.
    const disabledInFlight = await page.evaluate(async (name) => {
      document.querySelector<HTMLButtonElement>('#confirm-ok')?.click();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const button = document.querySelector<HTMLButtonElement>(`#containers tr[data-name="${name}"] button`);
      button?.click();
      return button?.disabled;
    }, web);
    expect(disabledInFlight).toBe(true);
    await page.locator(`#containers tr[data-name="${web}"][data-state="isolated"]`).waitFor({ timeout: 15_000 });
    await page.locator('#outcome .audit[data-rule="container_isolated"]').waitFor({ timeout: 10_000 });
    await expect(page.locator('#outcome').getAttribute('data-kind')).resolves.toBe('ok');
    await page.locator('#map-svg g.node[data-id="w:e2e/web"][data-state="isolated"]').waitFor({ timeout: 10_000 });
    await expect(page.locator('#map-svg g.node[data-id="w:e2e/web"] .node-state').textContent()).resolves.toBe(
      'isolated',
    );
    const isolations = (await (await fetch(`${agent.baseUrl}/api/alerts?rule=container_isolated`)).json()) as {
      alerts: { container: { name: string } }[];
    };
    expect(isolations.alerts.filter((a) => a.container.name === web)).toHaveLength(1);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // The system's choice until the toggle is used: dark when the system is dark.
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(background()).resolves.toBe('rgb(13, 17, 23)');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(background()).resolves.toBe('rgb(245, 246, 248)');
    await page.click('#theme'); // dark, as on a SOC wall
    await expect(background()).resolves.toBe('rgb(13, 17, 23)');
    await page.locator('#map-view').screenshot({ path: path.join(shots, 'live-page-map.png') });

    await page.locator(`#containers tr[data-name="${web}"] button[data-action="release"]`).click();
    await expect(page.locator('#confirm-title').textContent()).resolves.toBe(`Release ${web}?`);
    await page.click('#confirm-ok');
    await page.locator(`#containers tr[data-name="${web}"]:not([data-state="isolated"])`).waitFor({ timeout: 15_000 });
    await page.locator('#outcome .audit[data-rule="container_released"]').waitFor({ timeout: 10_000 });
    await expect(containerRow(web).locator('td').nth(3).textContent()).resolves.toBe(front);
  });

  it('shows alerts raised while the stream was down once it reconnects', async () => {
    streamBlocked = true;
    for (const ws of streams.splice(0)) await ws.close({ code: 1001, reason: 'test: network down' });
    await page.locator('#stream[data-state="reconnecting"]').waitFor({ timeout: 5000 });
    const since = Date.now();
    await docker('exec', api, 'true');
    const missed = await waitFor(
      async () => {
        const body = (await (await fetch(`${agent.baseUrl}/api/alerts?rule=interactive_exec`)).json()) as {
          alerts: { id: string; container: { name: string }; lastSeen: string }[];
        };
        return body.alerts.find((a) => a.container.name === api && Date.parse(a.lastSeen) >= since - 1000);
      },
      { timeout: 10_000, what: 'interactive_exec on api in the journal' },
    );
    await expect(page.locator(`#alerts tr[data-id="${missed.id}"]`).count()).resolves.toBe(0);
    streamBlocked = false;
    await waitForLive(page);
    await page.locator(`#alerts tr[data-id="${missed.id}"]`).waitFor({ timeout: 10_000 });
    await expect(page.locator(`#alerts tr[data-id="${missed.id}"]`).count()).resolves.toBe(1);
  });

  it('fits a 1366 px wide laptop screen without horizontal scrolling', async () => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
