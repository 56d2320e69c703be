// Incidents put back together from alerts that already name their incident: the hub's view of
// every host's incidents, from the alerts of the fleet stream. Never re-correlated: the agent that
// raised an alert chose its incident, and this only groups alerts by (host, incident id) and
// derives title, severity, story and tactics exactly as the agent does (incident.ts `summarise`).
// Pure, on alert values and a `now` handed in; nothing is kept between calls, so the memory it
// takes is that of the alerts it is given (the hub's are bounded).
//
// What alerts alone cannot tell, and what stands in for it:
// * state: an agent closes an incident after `gap` of quiet. Here it is open unless its last alert
//   is older than `gap` at `now` (the hub passes its config's incidents.gap, the agents' default
//   5 min unless set). Repeats of an alert keep an agent's incident awake but are not published
//   to the fleet, so an incident kept open by repeats alone shows closed here before its host
//   closes it; an agent's early closes (too many open, end of a capture replay) are not seen.
// * end: the latest time or lastSeen of its alerts as they were published.
// * mergedInto: when an agent joins two incidents (a flow between them), alerts keep the id they
//   were raised with, so the two stay two incidents here and mergedInto is never set.
// * alertCount: the alerts given, so an incident some of whose alerts were dropped (the hub keeps
//   the newest 20 000) counts fewer than on its host, and starts later.
import type { ContainerRef } from '../collector/events.ts';
import { SEVERITIES } from '../findings/index.ts';
import type { Alert } from './alert.ts';
import { incidentAlert, summarise, type Incident } from './incident.ts';

export interface RebuildOptions {
  /** ms of quiet after which an incident counts as closed. */
  gap: number;
  /** Alerts listed per incident (alertCount counts them all). */
  maxAlerts: number;
  now: number;
  /** Only this host's alerts. */
  host?: string | null;
  /** Only the alerts of this incident id. */
  incident?: string | null;
}

type IncidentMember = Alert & { incident: string };

const isRef = (value: unknown): value is ContainerRef =>
  typeof value === 'object' && value !== null && typeof (value as ContainerRef).id === 'string';

/** What a stream message must hold to be put into an incident (the bus carries JSON from many agents). */
function isMember(value: unknown): value is IncidentMember {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Partial<Alert>;
  return (
    typeof a.id === 'string' &&
    typeof a.host === 'string' &&
    typeof a.incident === 'string' &&
    a.incident !== '' &&
    typeof a.time === 'string' &&
    typeof a.rule === 'string' &&
    typeof a.summary === 'string' &&
    SEVERITIES.includes(a.severity as never) &&
    typeof a.details === 'object' &&
    a.details !== null &&
    (a.container === null || isRef(a.container))
  );
}

function claim(incident: Incident, ref: unknown): void {
  if (isRef(ref) && !incident.containers.some((c) => c.id === ref.id)) incident.containers.push(ref);
}

function build(alerts: readonly IncidentMember[], options: RebuildOptions): Incident {
  const first = alerts[0] as IncidentMember;
  const incident: Incident = {
    id: first.incident,
    version: 1,
    host: first.host,
    title: first.summary,
    severity: first.severity,
    story: null,
    tactics: [],
    start: first.time,
    end: first.time,
    state: 'open',
    containers: [],
    alertCount: alerts.length,
    alerts: [],
  };
  // In the order the stream holds them: one host publishes its alerts in the order it raised them.
  for (const alert of alerts) {
    if (incident.alerts.length < options.maxAlerts) incident.alerts.push(incidentAlert(alert));
    if (alert.time < incident.start) incident.start = alert.time;
    const last = typeof alert.lastSeen === 'string' && alert.lastSeen > alert.time ? alert.lastSeen : alert.time;
    if (last > incident.end) incident.end = last;
    claim(incident, alert.container);
    claim(incident, (alert.details as { flow?: { peer?: unknown } }).flow?.peer);
  }
  summarise(incident);
  if (options.now - Date.parse(incident.end) > options.gap) incident.state = 'closed';
  return incident;
}

/** One incident per (host, incident id) among `alerts`, in no particular order (selectIncidents sorts). */
export function incidentsFromAlerts(alerts: Iterable<unknown>, options: RebuildOptions): Incident[] {
  const groups = new Map<string, IncidentMember[]>();
  for (const alert of alerts) {
    if (!isMember(alert)) continue;
    if (options.host && alert.host !== options.host) continue;
    if (options.incident && alert.incident !== options.incident) continue;
    const key = JSON.stringify([alert.host, alert.incident]);
    const group = groups.get(key);
    if (group) group.push(alert);
    else groups.set(key, [alert]);
  }
  return [...groups.values()].map((group) => build(group, options));
}
