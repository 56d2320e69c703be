// The hub's incidents: alerts as the agents published them (JSON, each naming its incident),
// grouped by (host, incident id) and compared with what the agent's own correlator built.
import { describe, expect, it } from 'vitest';
import { AlertFactory, type Alert } from '../../../alerts/alert.ts';
import { IncidentCorrelator } from '../../../alerts/incident.ts';
import { selectIncidents } from '../../../alerts/incident-store.ts';
import { incidentsFromAlerts } from '../../../alerts/incidents-from-alerts.ts';
import type { Finding } from '../../../findings/index.ts';
import { API_CONTAINER, egressFinding } from '../../support/findings.ts';

const T0 = Date.parse('2026-11-23T04:00:00Z');
const GAP = 120_000;
const WEB = { id: 'e'.repeat(64), name: 'shop-web-1', image: 'shop/web:1', workload: 'shop/web' };

/** One host's agent: alerts raised, each given its incident by the real correlator. */
function agentOn(host: string, ids = host) {
  let clock = T0;
  let n = 0;
  let i = 0;
  const factory = new AlertFactory({ host, dedupWindow: 0, now: () => clock, newId: () => `${host}-a${++n}` });
  const correlator = new IncidentCorrelator({ host, gap: GAP, newId: () => `${ids}-inc${++i}` });
  const raise = (finding: Finding, after = 1000): Alert => {
    clock += after;
    const alert = factory.raise(finding)!.alert;
    alert.incident = correlator.add(alert).incident.id;
    // As the hub receives it: the JSON of the stream message.
    return JSON.parse(JSON.stringify(alert)) as Alert;
  };
  return { raise, correlator, now: () => clock };
}

const shell = (container = API_CONTAINER, exe = '/bin/sh'): Finding => ({
  rule: 'suspicious_process',
  container,
  key: `suspicious_process:${exe}`,
  summary: `suspicious_process ${exe} in ${container.name}`,
  details: { process: { pid: 1, ppid: 0, exe, cmdline: exe, uid: 0 } },
  at: T0,
});
const drift = (container = API_CONTAINER): Finding => ({
  ...shell(container, '/tmp/x'),
  rule: 'drift_executable',
  key: 'drift_executable:/tmp/x',
  summary: `drift_executable /tmp/x in ${container.name}`,
});

const rebuild = (alerts: unknown[], now: number, more: { host?: string; maxAlerts?: number } = {}) =>
  incidentsFromAlerts(alerts, { gap: GAP, maxAlerts: 200, now, ...more });

describe('incidentsFromAlerts', () => {
  it("rebuilds the incident the agent's correlator made, from its alerts alone", () => {
    const agent = agentOn('host-a');
    const alerts = [agent.raise(shell()), agent.raise(drift()), agent.raise(egressFinding(4444, T0))];
    const [built] = rebuild(alerts, agent.now());
    expect(built).toEqual(agent.correlator.open[0]);
    expect(built).toMatchObject({ host: 'host-a', state: 'open', alertCount: 3, story: { id: 'shell_drift_egress' } });
  });

  it("keeps two hosts' incidents apart, even under one incident id, and filters by host", () => {
    const a = agentOn('host-a', 'same');
    const b = agentOn('host-b', 'same');
    const alerts = [a.raise(shell()), b.raise(shell()), a.raise(drift())];
    expect(alerts.every((alert) => alert.incident === 'same-inc1')).toBe(true);
    const all = rebuild(alerts, a.now());
    expect(all.map((i) => [i.host, i.alertCount])).toEqual([
      ['host-a', 2],
      ['host-b', 1],
    ]);
    expect(rebuild(alerts, a.now(), { host: 'host-b' }).map((i) => i.host)).toEqual(['host-b']);
  });

  it('never re-correlates: alerts the agent put into two incidents stay in two', () => {
    const agent = agentOn('host-a');
    const first = agent.raise(shell());
    const second = agent.raise(shell(WEB));
    expect(first.incident).not.toBe(second.incident);
    expect(rebuild([first, second], agent.now())).toHaveLength(2);
  });

  it('calls an incident closed once its last alert is older than the gap', () => {
    const agent = agentOn('host-a');
    const alerts = [agent.raise(shell()), agent.raise(drift())];
    expect(rebuild(alerts, agent.now() + GAP)[0]?.state).toBe('open');
    expect(rebuild(alerts, agent.now() + GAP + 1)[0]?.state).toBe('closed');
  });

  it('lists at most maxAlerts of an incident, in the order raised, and counts them all', () => {
    const agent = agentOn('host-a');
    const alerts = [1, 2, 3, 4].map((port) => agent.raise(egressFinding(port, T0)));
    const [incident] = rebuild(alerts, agent.now(), { maxAlerts: 2 });
    expect(incident?.alertCount).toBe(4);
    expect(incident?.alerts.map((a) => a.id)).toEqual([alerts[0]?.id, alerts[1]?.id]);
    expect(incident?.end).toBe(alerts[3]?.time);
  });

  it('skips what is not an alert naming its incident', () => {
    const agent = agentOn('host-a');
    const good = agent.raise(shell());
    const junk = [null, 'text', { ...good, id: 'x1', incident: null }, { ...good, id: 'x2', severity: 'dire' }];
    const [incident] = rebuild([...junk, good, { ...good, id: 'x3', details: null }], agent.now());
    expect(incident?.alerts.map((a) => a.id)).toEqual([good.id]);
  });

  it("answers the agent's query parameters through selectIncidents, newest first", () => {
    const agent = agentOn('host-a');
    const old = agent.raise(shell());
    const recent = agent.raise(shell(WEB), GAP + 60_000);
    const incidents = rebuild([old, recent], agent.now());
    expect(selectIncidents(incidents).map((i) => i.id)).toEqual([recent.incident, old.incident]);
    expect(selectIncidents(incidents, { state: 'closed' }).map((i) => i.id)).toEqual([old.incident]);
    expect(selectIncidents(incidents, { container: 'shop-web-1' }).map((i) => i.id)).toEqual([recent.incident]);
    expect(selectIncidents(incidents, { limit: 1 })).toHaveLength(1);
  });
});
