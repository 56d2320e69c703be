// Incidents for the sinks: a sink's `deliver` setting (alerts, incidents or both) decides whether
// it is told of single alerts, of incidents, or of both. An incident travels through the same
// durable queue as an alert, as a notice of one change (opened, grew, closed) whose id names the
// incident, the change and the alert count: a resend after a crash carries the same id, and each
// change a new one. Webhooks get opened and closed (growth is a repeat, which they do not want);
// Alertmanager gets growth too, which keeps the incident firing until it closes and resolves.
import type { Alert } from './alert.ts';
import type { Incident, IncidentChange } from './incident.ts';
import type { Severity } from '../findings/index.ts';

export type DeliverWhat = 'alerts' | 'incidents' | 'both';

export interface IncidentNotice {
  type: 'incident';
  id: string;
  change: IncidentChange;
  severity: Severity;
  incident: Incident;
}

/** What a sink queue carries. */
export type Deliverable = Alert | IncidentNotice;

export const isIncidentNotice = (item: Deliverable): item is IncidentNotice =>
  (item as IncidentNotice).type === 'incident';

export function incidentNotice(incident: Incident, change: IncidentChange): IncidentNotice {
  return {
    type: 'incident',
    id: `${incident.id}-${change}-${incident.alertCount}`,
    change,
    severity: incident.severity,
    incident: structuredClone(incident),
  };
}

/** Whether a sink set to `deliver` takes this item. */
export function sinkTakes(deliver: DeliverWhat | undefined, item: Deliverable): boolean {
  const what = deliver ?? 'alerts';
  return isIncidentNotice(item) ? what !== 'alerts' : what !== 'incidents';
}

/** The webhook body of an incident notice (the same in both webhook formats: Falco has no incidents). */
export function incidentBody(notice: IncidentNotice): string {
  return JSON.stringify({ type: 'incident', change: notice.change, incident: notice.incident });
}
