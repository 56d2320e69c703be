import { beforeEach, describe, expect, it } from 'vitest';
import { ContainerMetrics, counterGrowth } from '../../../alerts/container-metrics.ts';
import { Metrics } from '../../../alerts/metrics.ts';
import type { ContainerRef, StatsSample } from '../../../collector/events.ts';

const ref: ContainerRef = { id: 'a'.repeat(64), name: 'api-1', image: 'shop/api:1', workload: 'shop/api' };
const labels = { name: 'api-1', image: 'shop/api:1', workload: 'shop/api' };

function sample(cpuSeconds: number, rxBytes = 0, memory = 1000): StatsSample {
  return { cpuSeconds, memoryWorkingSetBytes: memory, rxBytes, txBytes: 0, rxPackets: 0, txPackets: 0, pids: 1 };
}

describe('cAdvisor-named container metrics', () => {
  let metrics: Metrics;
  let handler: ContainerMetrics;
  const feed = (stats: StatsSample) =>
    handler.handle({ kind: 'stats.sample', at: 0, host: 'h', container: ref, stats, intervalMs: 1000 });
  const cpu = async () => (await metrics.cpuSeconds.get()).values.find((v) => v.labels.name === 'api-1')?.value;

  beforeEach(() => {
    metrics = new Metrics();
    handler = new ContainerMetrics(metrics);
  });

  it('starts a counter at the kernel cumulative value and follows its growth', async () => {
    feed(sample(2));
    feed(sample(3.5));
    expect(await cpu()).toBeCloseTo(3.5, 9);
  });

  it('does not bring back the series of a removed container for a sample that arrives late', async () => {
    feed(sample(1));
    handler.handle({ kind: 'container.removed', at: 0, host: 'h', container: ref });
    feed(sample(2));
    expect(await cpu()).toBeUndefined();
  });

  it('never decreases when the kernel counter resets on a restart', async () => {
    feed(sample(10));
    feed(sample(0.5));
    expect(await cpu()).toBeCloseTo(10.5, 9);
    expect(counterGrowth(10, 0.5)).toBe(0.5);
    expect(counterGrowth(undefined, -1)).toBe(0);
  });

  it('counts the whole new cgroup after a restart event, even when it already exceeds the old value', async () => {
    feed(sample(1));
    handler.handle({ kind: 'container.started', at: 0, host: 'h', container: ref, info: {} as never });
    feed(sample(5));
    expect(await cpu()).toBeCloseTo(6, 9);
  });

  it('drops every series of a removed container', async () => {
    feed(sample(1, 100));
    handler.handle({ kind: 'container.removed', at: 0, host: 'h', container: ref });
    const text = (await metrics.render()).text;
    expect(text).not.toContain('name="api-1"');
    expect((await metrics.memoryWorkingSet.get()).values).toHaveLength(0);
    expect(labels.name).toBe('api-1');
  });
});
