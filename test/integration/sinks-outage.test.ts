// Fault: both sinks down for two minutes (a webhook receiver and a real Alertmanager,
// Debian's), while alerts keep coming, then back. Every alert raised is journalled, and each sink
// gets every one of them once, the webhook in order. The outage outlasts the backoff's cap
// (retry_max 10 s here, so the run stays short: production's is 60 s), so the queues are proven
// to keep retrying at the cap rather than giving up.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertAgent, type AlertAgentProcess } from '../support/alert-agent-process.ts';
import { egressFinding } from '../support/findings.ts';
import { startAlertmanager, type Daemon } from '../support/prom-stack.ts';
import { waitFor } from '../support/wait.ts';
import { WebhookReceiver, freePort } from '../support/webhook-receiver.ts';
import type { Alert } from '../../alerts/alert.ts';

const OUTAGE_MS = 120_000;

describe('sinks down for minutes, then back', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-outage-'));
  let receiver: WebhookReceiver;
  let alertmanager: Daemon | null = null;
  let amPort: number;
  let agent: AlertAgentProcess;

  const journalIds = () =>
    readFileSync(path.join(stateDir, 'alerts', 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { id: string }).id);
  const amIds = async () => {
    const listed = (await (await fetch(`${alertmanager?.url}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
    }[];
    return listed.map((a) => a.labels.alert_id ?? '');
  };
  const delivered = async (kind: string) => {
    const text = await (await fetch(`${agent.baseUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .filter((l) => l.startsWith('shipwatch_sink_deliveries_total{') && l.includes(`sink="${kind}-`))
      .find((l) => l.includes('outcome="delivered"'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  beforeAll(async () => {
    receiver = new WebhookReceiver(await freePort(), 'outage-secret-for-tests-01');
    await receiver.start();
    amPort = await freePort();
    alertmanager = await startAlertmanager(amPort);
    agent = await startAlertAgent({
      config: {
        host: 'test-host',
        state_dir: stateDir,
        webhooks: [{ url: receiver.url, secret: 'outage-secret-for-tests-01', timeout: '2s' }],
        alertmanager: [{ url: alertmanager.url }],
        delivery: { retry_min: '500ms', retry_max: '10s' },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await receiver?.stop();
    await alertmanager?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('delivers every alert raised before, during and after the outage once per sink, the webhook in order', async () => {
    const raised: Alert[] = [];
    let port = 5000;
    const raise = async (n: number) => {
      for (let i = 0; i < n; i += 1) raised.push(...(await agent.raise([egressFinding((port += 1))])));
    };
    await raise(5);
    await waitFor(() => receiver.accepted.length === 5, { what: 'the first five at the webhook' });
    // The Alertmanager that comes back starts empty: what the first one got is read now.
    const atFirstAm = await waitFor(
      async () => {
        const listed = await amIds();
        return raised.every((a) => listed.includes(a.id)) ? listed : null;
      },
      { what: 'the first five at Alertmanager' },
    );

    // Both down. Alerts keep coming, one every 12 s.
    await receiver.stop();
    await alertmanager?.stop();
    alertmanager = null;
    const downAt = Date.now();
    for (let i = 0; i < 10; i += 1) {
      await raise(1);
      await sleep(OUTAGE_MS / 10);
    }
    const retries = await agent.metric('shipwatch_sink_deliveries_total', { outcome: 'retry' });
    console.log(`down for ${Math.round((Date.now() - downAt) / 1000)} s: ${retries} failed attempts across both sinks`);

    // Back, on the same addresses. Five more on the way.
    await receiver.start();
    alertmanager = await startAlertmanager(amPort);
    const upAt = Date.now();
    await raise(5);
    const ids = raised.map((a) => a.id);
    await waitFor(() => receiver.accepted.length >= ids.length, {
      timeout: 40_000,
      what: 'every alert at the webhook',
    });
    const atAmEver = async () => [...atFirstAm, ...(await amIds())].filter((id) => ids.includes(id));
    await waitFor(
      async () => {
        const all = await atAmEver();
        return ids.every((id) => all.includes(id)) || null;
      },
      { timeout: 40_000, what: 'every alert at Alertmanager' },
    );
    await waitFor(async () => (await delivered('alertmanager')) >= ids.length || null, {
      what: 'the Alertmanager queue drained',
    });
    const drained = Date.now() - upAt;
    const atAm = await atAmEver();
    const journal = journalIds();
    console.log(
      `raised ${ids.length}, journalled ${journal.length}, webhook ${receiver.accepted.length} ` +
        `(${new Set(receiver.accepted.map((r) => r.id)).size} distinct), alertmanager ${await delivered('alertmanager')} ` +
        `deliveries (${new Set(atAm).size} distinct listed); drained ${drained} ms after the sinks returned`,
    );
    expect(journal).toEqual(ids);
    expect(receiver.accepted.map((r) => r.id)).toEqual(ids);
    expect(receiver.accepted.every((r) => r.signatureValid)).toBe(true);
    expect(await delivered('alertmanager')).toBe(ids.length);
    expect(atAm.sort()).toEqual([...ids].sort());
    expect(await delivered('webhook')).toBe(ids.length);
  }, 200_000);
});
