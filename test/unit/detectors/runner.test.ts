// The runner: phases, baselines, suppressions. Per-rule `rules:` settings (enabled, severity) are
// not the runner's but the AlertFactory's, tested through the pipeline in test/unit/alerts/.
import { describe, expect, it } from 'vitest';
import {
  IP,
  api,
  api2,
  containerEnd,
  db,
  exec,
  externalEnd,
  fileChanged,
  flowStart,
  started,
} from '../../fixtures/events.ts';
import { LEARN_MS, harness } from '../../fixtures/harness.ts';

const evil = (h: ReturnType<typeof harness>, port = 4444) =>
  flowStart(h.now, containerEnd(api, IP.apiBack, 41234), externalEnd(IP.evil, port), 'shop_backend');

describe('detector runner', () => {
  it('moves a workload from learning to monitoring when its window ends', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    expect(h.runner.phase('shop/api')).toBe('learning');
    h.at(LEARN_MS - 1);
    expect(h.runner.phase('shop/api')).toBe('learning');
    h.at(LEARN_MS);
    expect(h.runner.phase('shop/api')).toBe('monitoring');
  });

  it('starts the window at the workload first container, not at each new container', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    h.feed(started(h.at(LEARN_MS + 5000), api2));
    expect(h.runner.phase('shop/api')).toBe('monitoring');
    expect(h.rules(h.feed(exec(h.now, api2, '/usr/bin/python3', ['python3'])))).toEqual(['unexpected_process']);
  });

  it('knows no workload before its first event, and reports it as learning', () => {
    const h = harness();
    expect(h.runner.baseline('shop/db')).toBeNull();
    expect(h.runner.phase('shop/db')).toBe('learning');
    h.feed(started(h.at(0), db));
    expect(h.runner.baseline('shop/db')?.learnUntil).toBe(h.now + LEARN_MS);
  });

  it('suppresses a finding matching workload, rule and match, and counts it visibly', () => {
    const h = harness({
      suppressions: [
        { workload: 'shop/*', rule: 'unexpected_egress', match: '203.0.113.10:4444/*', reason: 'pentest' },
      ],
    });
    h.feed(started(h.at(0), api));
    h.at(LEARN_MS + 1);
    expect(h.feed(evil(h))).toEqual([]);
    expect(h.suppressed.map((s) => s.by.reason)).toEqual(['pentest']);
    expect(h.runner.suppressions()[0]).toMatchObject({
      rule: 'unexpected_egress',
      suppressed: 1,
      lastSuppressed: h.now,
    });
    expect(h.runner.counts).toMatchObject({ suppressed: 1, findings: 0 });
  });

  it('does not suppress what the match does not cover', () => {
    const h = harness({
      suppressions: [{ workload: 'shop/api', rule: 'unexpected_egress', match: '203.0.113.10:4444/*' }],
    });
    h.feed(started(h.at(0), api));
    h.at(LEARN_MS + 1);
    expect(h.rules(h.feed(evil(h, 9000)))).toEqual(['unexpected_egress']);
  });

  it('does not suppress another workload', () => {
    const h = harness({ suppressions: [{ workload: 'shop/web', rule: 'sensitive_file_change' }] });
    expect(h.rules(h.feed(fileChanged(h.at(0), api, '/etc/passwd')))).toEqual(['sensitive_file_change']);
  });

  it('replaces and resets baselines, marking them for the store', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    expect(h.runner.takeDirty()).toEqual(['shop/api']);
    expect(h.runner.takeDirty()).toEqual([]);
    expect(h.runner.resetBaseline('shop/api')).toBe(true);
    expect(h.runner.takeDirty()).toEqual(['shop/api']);
    expect(h.runner.baseline('shop/api')).toBeNull();
  });
});
