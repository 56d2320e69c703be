import { describe, expect, it } from 'vitest';
import { FleetBaselines } from '../../../agent/fleet-baselines.ts';
import { createLogger } from '../../../core/logger.ts';
import { baselineSchema, type WorkloadBaseline } from '../../../detectors/baseline.ts';
import { DetectorRunner } from '../../../detectors/index.ts';
import type { BaselineSync, RemoteBaseline } from '../../../fleet/index.ts';

const NOW = 1_000_000;
const W = 'shop/api';
const log = createLogger('silent', false);

function runner(baselines: WorkloadBaseline[] = []): DetectorRunner {
  return new DetectorRunner({
    config: { learnMs: 60_000, egressAllowlist: [], zoneAllow: [], trustedRegistries: [] },
    detectors: [],
    networksOf: () => null,
    zoneOf: (n) => n,
    clock: () => NOW,
    baselines,
    onFinding: () => undefined,
  });
}

const learned = (egress: string[], learnUntil = NOW - 1) =>
  baselineSchema.parse({
    workload: W,
    firstSeen: 0,
    learnUntil,
    egress: egress.map((ip) => ({ ip, port: 443, protocol: 'tcp' })),
  });

/** What the sync was asked to write: the bus itself is the integration test's business. */
function recordingSync() {
  const calls: string[] = [];
  const sync = {
    mergeLearned: (b: WorkloadBaseline) => {
      calls.push(`merge ${b.egress.map((e) => e.ip).join(',')}`);
      return Promise.resolve(b);
    },
    replace: (b: WorkloadBaseline, by: string | null) => {
      calls.push(`replace ${b.workload} by ${by}`);
      return Promise.resolve();
    },
    reset: (workload: string) => {
      calls.push(`reset ${workload}`);
      return Promise.resolve();
    },
  } as unknown as BaselineSync<WorkloadBaseline>;
  return { sync, calls };
}

const remote = (baseline: WorkloadBaseline | null, op: RemoteBaseline<WorkloadBaseline>['op'] = 'learned') => ({
  workload: W,
  baseline,
  host: 'other',
  by: null,
  op,
  revision: 1,
});

describe('FleetBaselines', () => {
  it('takes a baseline learned elsewhere: the workload is monitored here at once', () => {
    const r = runner([learned([], NOW + 50_000)]);
    const fleet = new FleetBaselines(r, recordingSync().sync, () => true, log);
    expect(r.phase(W)).toBe('learning');
    fleet.onRemote(remote(learned(['203.0.113.10'])));
    expect(r.phase(W)).toBe('monitoring');
    expect(r.baseline(W)?.egress.map((e) => e.ip)).toEqual(['203.0.113.10']);
  });

  it('keeps what it learned and has not written yet, merged with what arrives', () => {
    const r = runner([learned(['203.0.113.20'])]);
    const fleet = new FleetBaselines(r, recordingSync().sync, () => true, log);
    fleet.onRemote(remote(learned(['203.0.113.10'])));
    expect(r.baseline(W)?.egress.map((e) => e.ip)).toEqual(['203.0.113.10', '203.0.113.20']);
  });

  it('applies a replacement as it is, even over what it learned', () => {
    const r = runner([learned(['203.0.113.20'])]);
    const fleet = new FleetBaselines(r, recordingSync().sync, () => true, log);
    fleet.onRemote(remote(learned(['203.0.113.10']), 'replaced'));
    expect(r.baseline(W)?.egress.map((e) => e.ip)).toEqual(['203.0.113.10']);
  });

  it('forgets the workload on a fleet-wide reset', () => {
    const r = runner([learned(['203.0.113.20'])]);
    const fleet = new FleetBaselines(r, recordingSync().sync, () => true, log);
    fleet.onRemote(remote(null, 'reset'));
    expect(r.baseline(W)).toBeNull();
  });

  it('writes a finished learned baseline once, a replacement with its actor, and a local reset', async () => {
    const r = runner([learned(['203.0.113.20'])]);
    const { sync, calls } = recordingSync();
    const fleet = new FleetBaselines(r, sync, () => true, log);
    await fleet.sync();
    await fleet.sync(); // unchanged since: nothing more to write
    r.putBaseline(learned(['203.0.113.30']));
    fleet.replaced(W, 'soc');
    await fleet.sync();
    r.resetBaseline(W);
    await fleet.sync();
    expect(calls).toEqual(['merge 203.0.113.20', `replace ${W} by soc`, `reset ${W}`]);
  });

  it('writes nothing while the bus is down, and nothing of a workload still learning', async () => {
    const { sync, calls } = recordingSync();
    await new FleetBaselines(runner([learned(['203.0.113.20'])]), sync, () => false, log).sync();
    await new FleetBaselines(runner([learned(['203.0.113.20'], NOW + 1)]), sync, () => true, log).sync();
    expect(calls).toEqual([]);
  });
});
