import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import type { Incident, IncidentChange } from '../../../alerts/incident.ts';
import { IncidentTracker } from '../../../alerts/incident-tracker.ts';
import { queryIncidents } from '../../../alerts/incident-store.ts';
import { egressFinding } from '../../support/findings.ts';

const dirs: string[] = [];
const stateDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-incidents-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tracker(dir: string, now: () => number, changes: [IncidentChange, Incident][] = [], maxBytes = 1 << 20) {
  return new IncidentTracker({
    stateDir: dir,
    host: 'h',
    settings: { gap: 60_000, max_bytes: maxBytes, max_alerts: 50 },
    now,
    onChange: (incident, change) => changes.push([change, structuredClone(incident)]),
    onError: (error) => {
      throw error;
    },
    flushMs: 3_600_000,
  });
}

describe('IncidentTracker', () => {
  it('tells when an incident opens, grows and closes, and stores each version', () => {
    const dir = stateDir();
    let clock = Date.parse('2026-11-23T04:00:00Z');
    const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => (clock += 1000) });
    const changes: [IncidentChange, Incident][] = [];
    const t = tracker(dir, () => clock, changes);
    const a = factory.raise(egressFinding(1))!.alert;
    t.onAlert(a, false);
    t.announce(); // as the pipeline does once the alert is journalled
    t.onAlert(factory.raise(egressFinding(2))!.alert, false);
    t.announce();
    t.tick();
    clock += 61_000;
    t.tick();
    t.close();
    expect(changes.map(([change, i]) => [change, i.alertCount])).toEqual([
      ['opened', 1],
      ['grew', 2],
      ['closed', 2],
    ]);
    expect(a.incident).toBe(changes[0]?.[1].id);
    expect(queryIncidents(dir).map((i) => [i.state, i.alertCount])).toEqual([['closed', 2]]);
  });

  it('survives a restart: an open incident keeps taking its container’s alerts', () => {
    const dir = stateDir();
    let clock = Date.parse('2026-11-23T04:00:00Z');
    const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => (clock += 1000) });
    const first = tracker(dir, () => clock);
    const a = factory.raise(egressFinding(1))!.alert;
    first.onAlert(a, false);
    first.close();
    const second = tracker(dir, () => clock);
    const b = factory.raise(egressFinding(2))!.alert;
    second.onAlert(b, false);
    second.close();
    expect(b.incident).toBe(a.incident);
    expect(queryIncidents(dir)[0]?.alertCount).toBe(2);
  });

  it('keeps disk and memory bounded under a flood of alerts', () => {
    const dir = stateDir();
    let clock = Date.parse('2026-11-23T04:00:00Z');
    const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => (clock += 10) });
    const maxBytes = 64 * 1024;
    const t = tracker(dir, () => clock, [], maxBytes);
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) {
      t.onAlert(factory.raise(egressFinding(i % 60000))!.alert, false);
      if (i % 100 === 0) t.tick();
    }
    t.close();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(t.store.diskBytes()).toBeLessThanOrEqual(5 * maxBytes);
    const [incident] = queryIncidents(dir);
    expect(incident?.alerts).toHaveLength(50);
    expect(incident?.alertCount).toBe(10_000);
    // Listed alerts are capped, so the open incident does not grow with the flood; the factory's
    // dedup map is the other holder here. Generous: the heap moves with GC timing.
    expect(heapGrowth).toBeLessThan(64 << 20);
    console.info(`incident flood: 10000 alerts, disk ${t.store.diskBytes()} bytes, heap growth ${heapGrowth} bytes`);
    // A loaded 2-core machine can take seconds over this: the bound is the point, not the speed.
  }, 30_000);
});
