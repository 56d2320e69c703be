// Incidents delivered to the sinks instead of (or beside) single alerts, through the real pipeline,
// its durable queue and a real HTTP receiver on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertPipeline } from '../../../alerts/alert-pipeline.ts';
import { incidentToPostable } from '../../../alerts/alertmanager.ts';
import { incidentNotice } from '../../../alerts/incident-delivery.ts';
import { Metrics } from '../../../alerts/metrics.ts';
import { validateConfig } from '../../../agent/config.ts';
import { createLogger } from '../../../core/logger.ts';
import { egressFinding } from '../../support/findings.ts';
import { freePort, WebhookReceiver } from '../../support/webhook-receiver.ts';
import { waitFor } from '../../support/wait.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(deliver: 'incidents' | 'both') {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-incident-delivery-'));
  const receiver = new WebhookReceiver(await freePort(), 's3cret');
  await receiver.start();
  let clock = Date.parse('2026-11-23T04:00:00Z');
  const pipeline = new AlertPipeline({
    config: validateConfig(
      {
        host: 'h',
        state_dir: stateDir,
        incidents: { gap: '1m' },
        webhooks: [{ url: receiver.url, deliver, secret: 's3cret' }],
      },
      'test',
    ),
    metrics: new Metrics(),
    log: createLogger('silent', false),
    now: () => clock,
  });
  cleanups.push(
    () => rmSync(stateDir, { recursive: true, force: true }),
    () => receiver.stop(),
    () => pipeline.close(0),
  );
  return { pipeline, receiver, advance: (ms: number) => (clock += ms), now: () => clock };
}

const bodies = (receiver: WebhookReceiver) =>
  receiver.accepted.map((r) => JSON.parse(r.body) as Record<string, unknown>);

describe('incident delivery', () => {
  it('sends a webhook set to incidents the incident as it opens and closes, and no single alert', async () => {
    const { pipeline, receiver, advance, now } = await setup('incidents');
    pipeline.raise(egressFinding(1));
    advance(1000);
    pipeline.raise(egressFinding(2));
    advance(61_000);
    pipeline.incidents.tick(now());
    await waitFor(() => receiver.accepted.length >= 2, { timeout: 5000, what: 'two deliveries' });
    const sent = bodies(receiver);
    expect(sent.map((b) => [b.type, b.change])).toEqual([
      ['incident', 'opened'],
      ['incident', 'closed'],
    ]);
    expect((sent[1]?.incident as { alertCount: number }).alertCount).toBe(2);
    expect(receiver.accepted.every((r) => r.signatureValid)).toBe(true);
  });

  it('sends both when set to both: the alert first, then its incident', async () => {
    const { pipeline, receiver } = await setup('both');
    const alert = pipeline.raise(egressFinding(1));
    await waitFor(() => receiver.accepted.length >= 2, { timeout: 5000, what: 'two deliveries' });
    const [first, second] = bodies(receiver);
    expect(second).toMatchObject({ type: 'incident', change: 'opened' });
    expect(first).toMatchObject({ id: alert?.id, incident: (second?.incident as { id: string }).id });
  });

  it('renders an incident for Alertmanager as one alert that resolves when the incident closes', async () => {
    const { pipeline } = await setup('both');
    pipeline.raise(egressFinding(1));
    const [incident] = pipeline.incidents.open;
    const open = incidentToPostable(incidentNotice(incident!, 'opened'), 60_000, 'http://127.0.0.1:9477');
    expect(open.labels).toMatchObject({ alertname: 'shipwatch_incident', incident_id: incident!.id, severity: 'high' });
    expect(Date.parse(open.endsAt)).toBeGreaterThan(Date.parse(incident!.end));
    expect(open.generatorURL).toBe(`http://127.0.0.1:9477/api/incidents/${incident!.id}`);
    const closed = incidentToPostable(incidentNotice({ ...incident!, state: 'closed' }, 'closed'), 60_000, null);
    expect(closed.endsAt).toBe(incident!.end);
  });
});
