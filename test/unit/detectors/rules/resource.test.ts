import { describe, expect, it } from 'vitest';
import type { ContainerRef } from '../../../../collector/events.ts';
import { db, stats } from '../../../fixtures/events.ts';
import { LEARN_MS, harness } from '../../../fixtures/harness.ts';

const MIB = 1024 * 1024;

/** Feeds samples every 5 s with the given CPU rate (cores) each; counters are cumulative. */
function sampler(h: ReturnType<typeof harness>, container: ContainerRef, startMs: number) {
  let t = startMs;
  let cpu = 0;
  let i = 0;
  return (cores: number) => {
    t += 5000;
    i += 1;
    cpu += cores * 5;
    const jitter = (i % 3) * 0.001;
    return h.feed(
      stats(h.at(t), container, {
        cpuSeconds: cpu + jitter,
        memoryWorkingSetBytes: 40 * MIB + (i % 4) * 100_000,
        rxBytes: i * 5000,
        txBytes: i * 4000,
        rxPackets: i,
        txPackets: i,
        pids: 3,
      }),
    );
  };
}

function learnedDb() {
  const h = harness();
  const sample = sampler(h, db, 0);
  for (let i = 0; i < LEARN_MS / 5000 + 20; i++) sample(0.02);
  return { h, sample };
}

describe('resource_anomaly', () => {
  it('alerts once when a CPU burn starts, not once per sample', () => {
    const { sample } = learnedDb();
    const findings = Array.from({ length: 10 }, () => sample(1.0)).flat();
    expect(findings.map((f) => f.rule)).toEqual(['resource_anomaly']);
    expect(findings[0]?.key).toBe('cpu');
    expect(findings[0]?.details).toMatchObject({ resource: { metric: 'cpu' } });
    expect(findings[0]?.summary).toMatch(
      /^shop-db-1 \(shop\/db\) is using CPU 1\.00 cores, far above its usual CPU 0\.02 cores/,
    );
  });

  it('alerts again for a second episode after the first one calmed down', () => {
    const { sample } = learnedDb();
    const first = Array.from({ length: 5 }, () => sample(1.0)).flat();
    const calm = Array.from({ length: 5 }, () => sample(0.02)).flat();
    const second = Array.from({ length: 5 }, () => sample(1.0)).flat();
    expect([first.length, calm.length, second.length]).toEqual([1, 0, 1]);
  });

  it('ignores a single spike', () => {
    const { sample } = learnedDb();
    const findings = [sample(1.0), sample(0.02), sample(0.02)].flat();
    expect(findings).toEqual([]);
  });

  it('waits for a minimum history before judging a new container', () => {
    const h = harness({ learnMs: 0 });
    const sample = sampler(h, db, 0);
    const findings = [
      ...Array.from({ length: 5 }, () => sample(0.02)),
      ...Array.from({ length: 4 }, () => sample(1.0)),
    ].flat();
    expect(findings).toEqual([]);
  });

  it('stays silent when the workload baseline says the level is normal for it', () => {
    const h = harness();
    const busy = sampler(h, db, 0);
    for (let i = 0; i < LEARN_MS / 5000; i++) busy(1.0);
    const calmer: ContainerRef = { ...db, id: '9'.repeat(64), name: 'shop-db-2' };
    const sample = sampler(h, calmer, LEARN_MS);
    for (let i = 0; i < 20; i++) sample(0.02);
    expect(Array.from({ length: 5 }, () => sample(1.0)).flat()).toEqual([]);
  });
});

describe('resource_anomaly on a one-interval burst', () => {
  /** A learned db sending 4 KB per 5 s sample, then one sample with `burstBytes` more. */
  function upload(burstBytes: number) {
    const h = harness();
    let tx = 0;
    let cpu = 0;
    const feed = (i: number, extra: number, cores = 0.02) => {
      tx += 4000 + extra;
      cpu += cores * 5;
      return h.feed(
        stats(h.at(i * 5000), db, {
          cpuSeconds: cpu,
          memoryWorkingSetBytes: 40 * MIB,
          rxBytes: i * 5000,
          txBytes: tx,
          rxPackets: i,
          txPackets: i,
          pids: 3,
        }),
      );
    };
    const n = LEARN_MS / 5000 + 20;
    for (let i = 1; i <= n; i++) feed(i, 0);
    return { burst: feed(n + 1, burstBytes), after: feed(n + 2, 0), feed, n };
  }

  it('opens the episode at once for 64 MB sent in one interval', () => {
    const { burst } = upload(64 * MIB);
    expect(burst.map((f) => [f.rule, f.key])).toEqual([['resource_anomaly', 'network_tx']]);
  });

  it('still needs two samples for a spike under ten times the minimum excess', () => {
    const { burst } = upload(5 * 1024 * 1024);
    expect(burst).toEqual([]);
  });

  it('keeps the two-sample rule for CPU', () => {
    const { feed, n } = upload(0);
    expect(feed(n + 3, 0, 8)).toEqual([]);
  });
});
