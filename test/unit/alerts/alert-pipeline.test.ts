// The pipeline end to end on a fixed clock: journal, metrics, dedup, and the operator's per-rule
// settings (enabled, severity), which the AlertFactory inside applies to every finding, from
// detectors and from response actions alike; the detector runner no longer applies them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertPipeline } from '../../../alerts/alert-pipeline.ts';
import { Metrics } from '../../../alerts/metrics.ts';
import { validateConfig } from '../../../agent/config.ts';
import { createLogger } from '../../../core/logger.ts';
import type { Finding } from '../../../findings/index.ts';
import { API_CONTAINER, egressFinding } from '../../support/findings.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setup(extra: Record<string, unknown> = {}) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-pipeline-'));
  dirs.push(stateDir);
  let clock = Date.parse('2026-11-23T04:00:00Z');
  const metrics = new Metrics();
  const pipeline = new AlertPipeline({
    config: validateConfig({ host: 'h', state_dir: stateDir, dedup_window: '1m', ...extra }, 'test'),
    metrics,
    log: createLogger('silent', false),
    now: () => clock,
    repeatFlushMs: 60_000,
  });
  const lines = () =>
    readFileSync(path.join(stateDir, 'alerts', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; count: number; severity: string });
  return { pipeline, metrics, lines, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('AlertPipeline', () => {
  it('journals a new alert before raise() returns and counts it by rule, severity and workload', async () => {
    const { pipeline, metrics, lines } = setup();
    const alert = pipeline.raise(egressFinding());
    expect(lines().map((l) => l.id)).toEqual([alert?.id]);
    const counted = await metrics.alerts.get();
    expect(counted.values).toEqual([
      { labels: { rule: 'unexpected_egress', severity: 'high', workload: 'shop/api' }, value: 1 },
    ]);
    await pipeline.close(0);
  });

  it('measures detection latency from the finding time to the journal write', async () => {
    const { pipeline, metrics, now } = setup();
    pipeline.raise(egressFinding(4444, now() - 1500));
    const histogram = await metrics.detectionLatency.get();
    expect(histogram.values.find((v) => v.metricName === 'shipwatch_detection_latency_seconds_sum')?.value).toBe(1.5);
    await pipeline.close(0);
  });

  it('journals a repeat as an update line of the same id when repeats are flushed, not one line each', async () => {
    const { pipeline, lines, advance } = setup();
    const first = pipeline.raise(egressFinding());
    advance(1000);
    pipeline.raise(egressFinding());
    advance(1000);
    const third = pipeline.raise(egressFinding());
    expect(third).toMatchObject({ id: first?.id, count: 3 });
    expect(lines()).toHaveLength(1);
    await pipeline.close(0);
    expect(lines().map((l) => [l.id, l.count])).toEqual([
      [first?.id, 1],
      [first?.id, 3],
    ]);
  });

  it('raises nothing for a disabled rule: no journal line, no metric', async () => {
    const { pipeline, metrics, lines } = setup({ rules: { unexpected_egress: { enabled: false } } });
    expect(pipeline.raise(egressFinding())).toBeNull();
    expect(lines()).toEqual([]);
    expect((await metrics.alerts.get()).values).toEqual([]);
    await pipeline.close(0);
  });

  it('raises nothing for a disabled audit rule, as a response action reports it', async () => {
    const { pipeline, lines } = setup({ rules: { container_isolated: { enabled: false } } });
    const audit: Finding = {
      rule: 'container_isolated',
      container: API_CONTAINER,
      key: 'dry-run:isolate',
      summary: 'shop-api-1 (shop/api) would have been isolated (dry run): test',
      details: { action: { action: 'isolate', actor: 'policy', reason: 'test', alertId: null, dryRun: true } },
      at: Date.now(),
    };
    expect(pipeline.raise(audit)).toBeNull();
    expect(lines()).toEqual([]);
    await pipeline.close(0);
  });

  it("journals and counts an alert at the configured severity, over the detector's own", async () => {
    const { pipeline, metrics, lines } = setup({ rules: { unexpected_egress: { enabled: true, severity: 'low' } } });
    const alert = pipeline.raise({ ...egressFinding(), severity: 'critical' });
    expect(alert?.severity).toBe('low');
    expect(lines()).toMatchObject([{ id: alert?.id, severity: 'low' }]);
    expect((await metrics.alerts.get()).values).toEqual([
      { labels: { rule: 'unexpected_egress', severity: 'low', workload: 'shop/api' }, value: 1 },
    ]);
    await pipeline.close(0);
  });

  it('refuses alerts after close instead of writing to a closed journal', async () => {
    const { pipeline } = setup();
    await pipeline.close(0);
    expect(pipeline.raise(egressFinding())).toBeNull();
  });
});
