import { describe, expect, it } from 'vitest';
import { AlertFactory, type Alert } from '../../../alerts/alert.ts';
import { IncidentCorrelator } from '../../../alerts/incident.ts';
import type { Finding } from '../../../findings/index.ts';
import { API_CONTAINER, egressFinding } from '../../support/findings.ts';

const T0 = Date.parse('2026-11-23T04:00:00Z');
const DB = { id: 'd'.repeat(64), name: 'shop-db-1', image: 'shop/db:1', workload: 'shop/db' };
const WEB = { id: 'e'.repeat(64), name: 'shop-web-1', image: 'shop/web:1', workload: 'shop/web' };

function setup(gap = 120_000) {
  let clock = T0;
  let n = 0;
  const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => clock, newId: () => `a${++n}` });
  let i = 0;
  const correlator = new IncidentCorrelator({ host: 'h', gap, newId: () => `inc${++i}` });
  const raise = (finding: Finding, after = 1000): Alert => {
    clock += after;
    const alert = factory.raise(finding)!.alert;
    alert.incident = correlator.add(alert).incident.id;
    return alert;
  };
  return { raise, correlator, now: () => clock };
}

const processFinding = (
  rule: 'suspicious_process' | 'drift_executable' | 'unexpected_process',
  container = API_CONTAINER,
  exe = '/bin/sh',
): Finding => ({
  rule,
  container,
  key: `${rule}:${exe}`,
  summary: `${rule} ${exe} in ${container.name}`,
  details: { process: { pid: 1, ppid: 0, exe, cmdline: exe, uid: 0 } },
  at: T0,
});

const peerFinding = (from = WEB, to = DB): Finding => ({
  rule: 'new_peer',
  container: from,
  key: `${to.workload}:5432/tcp`,
  summary: `${from.name} talked to ${to.name}, never seen during learning`,
  details: {
    flow: {
      protocol: 'tcp',
      src: { ip: '198.18.1.2', port: 40000 },
      dst: { ip: '198.18.1.3', port: 5432, name: null },
      network: 'shop',
      bytes: 0,
      packets: 1,
      peer: to,
    },
  },
  at: T0,
});

describe('IncidentCorrelator', () => {
  it('puts a shell, a drifted binary and a new egress of one container into one incident, a step more severe', () => {
    const { raise, correlator } = setup();
    const alerts = [
      raise(processFinding('suspicious_process')),
      raise(processFinding('drift_executable', API_CONTAINER, '/tmp/x')),
      raise(egressFinding(4444)),
    ];
    expect(new Set(alerts.map((a) => a.incident)).size).toBe(1);
    const [incident] = correlator.open;
    expect(incident?.alerts.map((a) => a.rule)).toEqual([
      'suspicious_process',
      'drift_executable',
      'unexpected_egress',
    ]);
    expect(incident?.story?.id).toBe('shell_drift_egress');
    // drift_executable is critical already: the raise is capped there.
    expect(incident?.severity).toBe('critical');
    expect(incident?.title).toBe('drift_executable /tmp/x in shop-api-1');
  });

  it('raises the severity a step only when the chain is in order', () => {
    const inOrder = setup();
    inOrder.raise(processFinding('suspicious_process'));
    inOrder.raise(processFinding('unexpected_process', API_CONTAINER, '/tmp/dl'));
    inOrder.raise(egressFinding(4444));
    expect(inOrder.correlator.open[0]?.severity).toBe('critical');

    const reversed = setup();
    reversed.raise(egressFinding(4444));
    reversed.raise(processFinding('unexpected_process', API_CONTAINER, '/tmp/dl'));
    reversed.raise(processFinding('suspicious_process'));
    expect(reversed.correlator.open[0]?.story).toBeNull();
    expect(reversed.correlator.open[0]?.severity).toBe('high');
  });

  it('lists the MITRE tactics in the order the alerts showed them, once each', () => {
    const { raise, correlator } = setup();
    raise(processFinding('suspicious_process'));
    raise(egressFinding(4444));
    raise(processFinding('suspicious_process', API_CONTAINER, '/bin/nc'));
    const tactics = correlator.open[0]?.tactics ?? [];
    expect(tactics.length).toBeGreaterThan(0);
    expect(new Set(tactics).size).toBe(tactics.length);
    expect(tactics.at(-1)).toBe('exfiltration');
  });

  it('keeps alerts of two unrelated containers in two incidents', () => {
    const { raise, correlator } = setup();
    const a = raise(processFinding('suspicious_process', API_CONTAINER));
    const b = raise(processFinding('suspicious_process', DB));
    expect(a.incident).not.toBe(b.incident);
    expect(correlator.open).toHaveLength(2);
  });

  it('follows a new peer into the peer: the exec there joins the incident and tells the lateral story', () => {
    const { raise, correlator } = setup();
    const peer = raise(peerFinding(WEB, DB));
    const exec = raise(processFinding('suspicious_process', DB));
    expect(exec.incident).toBe(peer.incident);
    const [incident] = correlator.open;
    expect(incident?.containers.map((c) => c.name)).toEqual(['shop-web-1', 'shop-db-1']);
    expect(incident?.story?.id).toBe('lateral_exec');
    expect(incident?.severity).toBe('critical'); // suspicious_process is high, one step up
  });

  it('merges the open incident of the peer a new flow reached, in time order', () => {
    const { raise, correlator } = setup();
    const inWeb = raise(processFinding('suspicious_process', WEB));
    const inDb = raise(processFinding('unexpected_process', DB, '/tmp/x'));
    expect(inDb.incident).not.toBe(inWeb.incident);
    const peer = raise(peerFinding(WEB, DB));
    expect(peer.incident).toBe(inWeb.incident);
    const [merged] = correlator.open;
    expect(correlator.open).toHaveLength(1);
    expect(merged?.alerts.map((a) => a.rule)).toEqual(['suspicious_process', 'unexpected_process', 'new_peer']);
    expect(merged?.alertCount).toBe(3);
    expect(merged?.containers.map((c) => c.name).sort()).toEqual(['shop-db-1', 'shop-web-1']);
    expect(raise(processFinding('suspicious_process', DB, '/bin/nc')).incident).toBe(merged?.id);
  });

  it('opens a new incident after the quiet gap, and closes the old one', () => {
    const { raise, correlator } = setup(60_000);
    const first = raise(processFinding('suspicious_process'));
    const closed = correlator.closeQuiet(Date.parse(first.time) + 61_000);
    expect(closed.map((i) => i.state)).toEqual(['closed']);
    const second = raise(egressFinding(4444), 62_000);
    expect(second.incident).not.toBe(first.incident);
  });

  it('keeps an incident open while repeats of its alerts keep coming', () => {
    const { raise, correlator, now } = setup(60_000);
    const first = raise(processFinding('suspicious_process'));
    correlator.touch({ ...first, lastSeen: new Date(now() + 50_000).toISOString() });
    expect(correlator.closeQuiet(now() + 100_000)).toEqual([]);
  });

  it('lists at most max_alerts alerts and counts every one', () => {
    let clock = T0;
    const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => (clock += 10) });
    const correlator = new IncidentCorrelator({ host: 'h', gap: 60_000, maxAlerts: 5 });
    for (let port = 1; port <= 50; port++) correlator.add(factory.raise(egressFinding(port))!.alert);
    const [incident] = correlator.open;
    expect(incident?.alertCount).toBe(50);
    expect(incident?.alerts).toHaveLength(5);
  });

  it('takes back open incidents of an earlier run, so their containers keep joining them', () => {
    const first = setup();
    const a = first.raise(processFinding('suspicious_process'));
    const restored = new IncidentCorrelator({ host: 'h', gap: 120_000 });
    restored.restore(structuredClone(first.correlator.open));
    const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => Date.parse(a.time) + 5000 });
    const b = factory.raise(egressFinding(4444))!.alert;
    expect(restored.add(b).incident.id).toBe(a.incident);
  });
});
