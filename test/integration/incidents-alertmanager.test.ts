// Incidents delivered to a real Alertmanager (Debian's 0.25) instead of single alerts: one
// Alertmanager alert per incident, named shipwatch_incident and labelled by its id, counting the
// alerts correlated into it, and none for the single alerts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../alerts/alert.ts';
import { startAlertAgent, type AlertAgentProcess } from '../support/alert-agent-process.ts';
import { egressFinding } from '../support/findings.ts';
import { getJson, startAlertmanager, type Daemon } from '../support/prom-stack.ts';
import { waitFor } from '../support/wait.ts';
import { freePort } from '../support/webhook-receiver.ts';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
}

describe('incidents delivered to Alertmanager', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-inc-am-'));
  let am: Daemon;
  let agent: AlertAgentProcess;
  let raised: Alert[];

  beforeAll(async () => {
    am = await startAlertmanager();
    agent = await startAlertAgent({
      config: {
        host: 'test-host',
        state_dir: path.join(dir, 'state'),
        listen: `127.0.0.1:${await freePort()}`,
        alertmanager: [{ url: am.url, deliver: 'incidents' }],
      },
      repeatFlushMs: 200,
    });
    raised = await agent.raise([egressFinding(4444), egressFinding(4445)]);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await am?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires one shipwatch_incident alert holding both alerts, and no single alert', async () => {
    const incidentId = raised[0]?.incident;
    expect(incidentId).toBeTruthy();
    expect(raised[1]?.incident).toBe(incidentId);
    const fired = await waitFor(
      async () => {
        const { body } = await getJson(`${am.url}/api/v2/alerts`, null, null);
        const list = body as AmAlert[];
        const incident = list.find((a) => a.labels.alertname === 'shipwatch_incident');
        // Growth (the second alert) arrives within a second of the opening.
        return incident?.annotations.alerts === '2' ? list : null;
      },
      { timeout: 20_000, interval: 300, what: 'the incident in Alertmanager with both alerts' },
    );
    expect(fired).toHaveLength(1);
    expect(fired[0]?.labels).toMatchObject({ incident_id: incidentId, severity: 'high', host: 'test-host' });
    expect(fired[0]?.generatorURL).toBe(`${agent.baseUrl}/api/incidents/${incidentId}`);
  });
});
