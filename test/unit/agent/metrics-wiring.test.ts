import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../../alerts/metrics.ts';
import { Inventory } from '../../../collector/inventory.ts';
import { Health } from '../../../core/health.ts';
import { MetricsWiring, sourceUpValue } from '../../../agent/metrics-wiring.ts';

function wiring(health: Health, lost: Record<string, number> = {}) {
  const metrics = new Metrics();
  const w = new MetricsWiring({
    metrics,
    inventory: new Inventory(),
    stateOf: () => 'monitoring',
    subscribe: () => undefined,
    health,
    version: '9.8.7',
    lostCounts: () => lost,
  });
  return { metrics, w };
}

async function series(metrics: Metrics, name: string): Promise<string[]> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('self-monitoring metrics', () => {
  let stop: (() => void) | null = null;
  afterEach(() => stop?.());

  it('exports build info with the version and the Node.js version, value 1', async () => {
    const { metrics } = wiring(new Health());
    expect(await series(metrics, 'shipwatch_build_info')).toEqual([
      `shipwatch_build_info{version="9.8.7",node="${process.version}"} 1`,
    ]);
  });

  it('maps each health state to source_up: up and degraded 1, starting and down 0, disabled absent', () => {
    expect(sourceUpValue('up')).toBe(1);
    expect(sourceUpValue('degraded')).toBe(1);
    expect(sourceUpValue('starting')).toBe(0);
    expect(sourceUpValue('down')).toBe(0);
    expect(sourceUpValue('disabled')).toBeNull();
  });

  it('follows /healthz per source at each read and drops the series of a source that went away', async () => {
    const health = new Health();
    health.set('docker', 'up');
    health.set('capture:br-1', 'down', 'gone');
    health.set('processes', 'degraded', 'polling');
    const { metrics, w } = wiring(health);
    w.start();
    stop = () => w.stop();
    expect(await series(metrics, 'shipwatch_source_up')).toEqual([
      'shipwatch_source_up{source="capture:br-1"} 0',
      'shipwatch_source_up{source="docker"} 1',
      'shipwatch_source_up{source="processes"} 1',
    ]);
    // No event and no timer in between: the read itself brings the series up to date.
    health.remove('capture:br-1');
    health.set('docker', 'down', 'gone');
    expect(await series(metrics, 'shipwatch_source_up')).toEqual([
      'shipwatch_source_up{source="docker"} 0',
      'shipwatch_source_up{source="processes"} 1',
    ]);
  });

  it('stops following once stopped', async () => {
    const health = new Health();
    health.set('docker', 'up');
    const { metrics, w } = wiring(health);
    w.start();
    expect(await series(metrics, 'shipwatch_source_up')).toEqual(['shipwatch_source_up{source="docker"} 1']);
    w.stop();
    health.set('docker', 'down', 'gone');
    expect(await series(metrics, 'shipwatch_source_up')).toEqual(['shipwatch_source_up{source="docker"} 1']);
  });

  it('registers events_lost at 0 for every source and adds what the counts grew by', async () => {
    const lost: Record<string, number> = {};
    const { metrics, w } = wiring(new Health(), lost);
    expect(await series(metrics, 'shipwatch_events_lost_total')).toHaveLength(5);
    lost.processes = 3;
    w.start();
    stop = () => w.stop();
    expect(await series(metrics, 'shipwatch_events_lost_total')).toContain(
      'shipwatch_events_lost_total{source="processes"} 3',
    );
    lost.processes = 4;
    // Read twice: each read adds only what grew since the last one.
    await series(metrics, 'shipwatch_events_lost_total');
    const lines = await series(metrics, 'shipwatch_events_lost_total');
    expect(lines).toContain('shipwatch_events_lost_total{source="processes"} 4');
    expect(lines).toContain('shipwatch_events_lost_total{source="docker"} 0');
  });
});
