// Incidents: the alerts of one attack, correlated. An alert joins the open incident of its
// container, or of a container that incident reached through its flows (a new peer, a routed
// flow), while the incident has not been quiet for `gap` ms; otherwise it opens a new one.
// Pure logic on alert values and an injected clock; the tracker (incident-tracker.ts) persists
// and streams what this decides.
import { randomBytes } from 'node:crypto';
import type { ContainerRef } from '../collector/events.ts';
import { SEVERITIES, severityRank, type RuleId, type Severity } from '../findings/index.ts';
import type { Alert } from './alert.ts';
import { matchStory } from './incident-stories.ts';

export interface IncidentAlert {
  id: string;
  time: string;
  rule: RuleId;
  severity: Severity;
  summary: string;
  container: string | null;
  containerName: string | null;
  peer: string | null;
  tactic: string | null;
  technique: string | null;
}

export interface Incident {
  id: string;
  version: 1;
  host: string;
  title: string;
  /** The worst alert's severity, a step higher when `story` is set. */
  severity: Severity;
  story: { id: string; title: string } | null;
  /** MITRE ATT&CK tactics in the order the alerts first showed them. */
  tactics: string[];
  start: string;
  end: string;
  state: 'open' | 'closed';
  containers: ContainerRef[];
  /** Alerts in the incident; `alerts` holds the first `maxAlerts` of them. */
  alertCount: number;
  alerts: IncidentAlert[];
  /** Set on an incident closed because a flow joined it to another: the one that took its alerts. */
  mergedInto?: string;
}

export type IncidentChange = 'opened' | 'grew' | 'closed';

export interface CorrelatorOptions {
  host: string;
  /** ms of quiet after which an incident closes. */
  gap: number;
  maxAlerts?: number;
  /** Open incidents kept; past it the one quiet longest is closed early. */
  maxOpen?: number;
  newId?: () => string;
}

const raise = (severity: Severity): Severity =>
  SEVERITIES[Math.min(SEVERITIES.length - 1, severityRank(severity) + 1)] as Severity;

/** An alert as an incident lists it (also used to rebuild incidents from alerts: incidents-from-alerts.ts). */
export function incidentAlert(alert: Alert): IncidentAlert {
  const details = alert.details as { flow?: { peer?: ContainerRef | null } };
  return {
    id: alert.id,
    time: alert.time,
    rule: alert.rule,
    severity: alert.severity,
    summary: alert.summary,
    container: alert.container?.id ?? null,
    containerName: alert.container?.name ?? null,
    peer: details.flow?.peer?.id ?? null,
    tactic: alert.mitre?.tactic ?? null,
    technique: alert.mitre?.technique ?? null,
  };
}

/** Title, severity, story and tactics from an incident's alerts (recomputed as it grows). */
export function summarise(incident: Incident): void {
  let worst = incident.alerts[0];
  for (const alert of incident.alerts) {
    if (worst && severityRank(alert.severity) > severityRank(worst.severity)) worst = alert;
  }
  if (!worst) return;
  const story = matchStory(incident.alerts);
  incident.title = worst.summary;
  incident.severity = story ? raise(worst.severity) : worst.severity;
  incident.story = story ? { id: story.id, title: story.title } : null;
  incident.tactics = [...new Set(incident.alerts.flatMap((a) => (a.tactic ? [a.tactic] : [])))];
}

export class IncidentCorrelator {
  readonly #o: Required<CorrelatorOptions>;
  /** Open incidents by id. */
  readonly #open = new Map<string, Incident>();
  /** Container id (or "host") → the open incident it belongs to. */
  readonly #byContainer = new Map<string, string>();

  constructor(options: CorrelatorOptions) {
    this.#o = { maxAlerts: 200, maxOpen: 1000, newId: () => randomBytes(16).toString('hex'), ...options };
  }

  get open(): Incident[] {
    return [...this.#open.values()];
  }

  /** Takes back open incidents from an earlier run (the store's latest versions). */
  restore(incidents: readonly Incident[]): void {
    for (const incident of incidents) {
      if (incident.state !== 'open') continue;
      this.#open.set(incident.id, incident);
      if (incident.alerts.some((a) => a.container === null)) this.#byContainer.set('host', incident.id);
      for (const ref of incident.containers) this.#byContainer.set(ref.id, incident.id);
    }
  }

  /** Puts a new alert into an incident; returns it and whether it opened or grew. Closed-early incidents are in `closed`. */
  add(alert: Alert): { incident: Incident; change: IncidentChange; closed: Incident[] } {
    const at = Date.parse(alert.time);
    const closed = this.closeQuiet(at);
    const entry = incidentAlert(alert);
    const keys = [entry.container ?? 'host', ...(entry.peer ? [entry.peer] : [])];
    const found = [
      ...new Set(keys.map((key) => this.#open.get(this.#byContainer.get(key) ?? '')).filter((i) => i !== undefined)),
    ];
    let incident = found[0];
    // A flow between two containers that each have an open incident makes them one story.
    for (const other of found.slice(1)) if (incident) closed.push(this.#absorb(incident, other));
    let change: IncidentChange = 'grew';
    if (!incident) {
      if (this.#open.size >= this.#o.maxOpen) closed.push(...this.#closeOldest());
      change = 'opened';
      incident = {
        id: this.#o.newId(),
        version: 1,
        host: alert.host,
        title: alert.summary,
        severity: alert.severity,
        story: null,
        tactics: [],
        start: alert.time,
        end: alert.time,
        state: 'open',
        containers: [],
        alertCount: 0,
        alerts: [],
      };
      this.#open.set(incident.id, incident);
    }
    incident.alertCount += 1;
    if (incident.alerts.length < this.#o.maxAlerts) incident.alerts.push(entry);
    if (alert.time > incident.end) incident.end = alert.time;
    this.#claim(incident, alert.container);
    const peer = (alert.details as { flow?: { peer?: ContainerRef | null } }).flow?.peer ?? null;
    if (peer) this.#claim(incident, peer);
    summarise(incident);
    return { incident, change, closed };
  }

  /** A repeat of an alert already in an incident keeps that incident awake. */
  touch(alert: Alert): Incident | null {
    const incident = alert.incident ? this.#open.get(alert.incident) : undefined;
    if (!incident) return null;
    if (alert.lastSeen > incident.end) incident.end = alert.lastSeen;
    return incident;
  }

  /** Closes incidents quiet for longer than the gap at `now`. */
  closeQuiet(now: number): Incident[] {
    const closed: Incident[] = [];
    for (const incident of this.#open.values()) {
      if (now - Date.parse(incident.end) > this.#o.gap) closed.push(this.#close(incident));
    }
    return closed;
  }

  /** Closes every open incident (end of a capture replay). */
  closeAll(): Incident[] {
    return [...this.#open.values()].map((incident) => this.#close(incident));
  }

  #claim(incident: Incident, ref: ContainerRef | null): void {
    const key = ref?.id ?? 'host';
    this.#byContainer.set(key, incident.id);
    if (ref && !incident.containers.some((c) => c.id === ref.id)) incident.containers.push(ref);
  }

  #close(incident: Incident): Incident {
    incident.state = 'closed';
    this.#open.delete(incident.id);
    for (const [key, id] of this.#byContainer) if (id === incident.id) this.#byContainer.delete(key);
    return incident;
  }

  /** Moves `other`'s alerts and containers into `into` and closes it, naming where they went. */
  #absorb(into: Incident, other: Incident): Incident {
    into.alerts = [...into.alerts, ...other.alerts]
      .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))
      .slice(0, this.#o.maxAlerts);
    into.alertCount += other.alertCount;
    if (other.start < into.start) into.start = other.start;
    if (other.end > into.end) into.end = other.end;
    for (const ref of other.containers) this.#claim(into, ref);
    for (const [key, id] of this.#byContainer) if (id === other.id) this.#byContainer.set(key, into.id);
    other.mergedInto = into.id;
    other.state = 'closed';
    this.#open.delete(other.id);
    return other;
  }

  #closeOldest(): Incident[] {
    let oldest: Incident | null = null;
    for (const incident of this.#open.values()) if (!oldest || incident.end < oldest.end) oldest = incident;
    return oldest ? [this.#close(oldest)] : [];
  }
}
