// The real Prometheus and Alertmanager judge: Prometheus scrapes the agent and shows
// shipwatch_alerts_total by rule, severity and workload; promtool accepts /metrics; Alertmanager's
// API shows the alert with the labels of DESIGN.md, and a repeat keeps it firing.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertAgent, type AlertAgentProcess } from '../support/alert-agent-process.ts';
import { egressFinding } from '../support/findings.ts';
import { startAlertmanager, startPrometheus, type Daemon } from '../support/prom-stack.ts';
import { waitFor } from '../support/wait.ts';
import type { Alert } from '../../alerts/alert.ts';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

describe('alerts seen by a real Prometheus and Alertmanager', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-prom-state-'));
  let alertmanager: Daemon;
  let prometheus: Daemon;
  let agent: AlertAgentProcess;
  let raised: Alert[];

  beforeAll(async () => {
    alertmanager = await startAlertmanager();
    agent = await startAlertAgent({
      config: { host: 'test-host', state_dir: stateDir, alertmanager: { url: alertmanager.url }, dedup_window: '10m' },
      repeatFlushMs: 200,
    });
    prometheus = await startPrometheus(new URL(agent.baseUrl).host);
    raised = await agent.raise([egressFinding(4444), egressFinding(9000)]);
  });

  afterAll(async () => {
    await agent?.stop();
    await prometheus?.stop();
    await alertmanager?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('shows shipwatch_alerts_total with rule, severity and workload in Prometheus', async () => {
    const query = encodeURIComponent('shipwatch_alerts_total{rule="unexpected_egress"}');
    const result = await waitFor(
      async () => {
        const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${query}`)).json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        return body.data.result.find((r) => r.value[1] === '2');
      },
      { timeout: 30_000, interval: 500, what: 'Prometheus to scrape two alerts' },
    );
    expect(result.metric).toMatchObject({ severity: 'high', workload: 'shop/api', job: 'shipwatch' });
  });

  it('serves /metrics that promtool check metrics accepts', async () => {
    const text = await (await fetch(`${agent.baseUrl}/metrics`)).text();
    expect(text).toContain('shipwatch_alerts_total{');
    const check = execFile('promtool', ['check', 'metrics']);
    let problems = '';
    check.stdout?.on('data', (chunk: Buffer) => (problems += chunk.toString('utf8')));
    check.stderr?.on('data', (chunk: Buffer) => (problems += chunk.toString('utf8')));
    check.stdin?.end(text);
    const code = await new Promise<number | null>((resolve) => check.once('exit', resolve));
    expect(problems).toBe('');
    expect(code).toBe(0);
  });

  it('shows the alerts in Alertmanager with alertname, severity, container, workload and host', async () => {
    const alerts = await waitFor(
      async () => {
        const list = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as AmAlert[];
        return list.length >= 1 ? list : null;
      },
      { timeout: 20_000, what: 'Alertmanager to hold the alert' },
    );
    const ours = alerts.find((a) => raised.some((r) => r.id === a.annotations.alert_id));
    expect(ours?.labels).toEqual({
      alertname: 'unexpected_egress',
      severity: 'high',
      container: 'shop-api-1',
      workload: 'shop/api',
      host: 'test-host',
      alert_id: ours?.annotations.alert_id,
    });
    expect(ours?.annotations.summary).toMatch(/connected to 203\.0\.113\.10/);
    expect(ours?.status.state).toBe('active');
  });

  it('moves endsAt later when the alert repeats', async () => {
    const endsAt = async () => {
      const list = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as AmAlert[];
      const first = list.find((a) => a.annotations.alert_id === raised[0]?.id);
      return first ? { endsAt: Date.parse(first.endsAt), count: first.annotations.count } : null;
    };
    const before = await waitFor(endsAt, { what: 'the first alert in Alertmanager' });
    await agent.raise([egressFinding(4444)]);
    const after = await waitFor(
      async () => {
        const now = await endsAt();
        return now && now.count === '2' ? now : null;
      },
      { timeout: 20_000, what: 'the repeat to reach Alertmanager' },
    );
    expect(after.endsAt).toBeGreaterThan(before.endsAt);
  });
});
