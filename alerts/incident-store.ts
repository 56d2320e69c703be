// Incidents on disk: every version of an incident (opened, grown, closed) is one JSON line in
// `<state_dir>/incidents/incidents*.jsonl`; readers keep the latest line per id, like the alert
// journal. Rotated by size with a fixed number of files, so the disk it takes is bounded; an
// incident whose every line rotated away is forgotten. Read-only queries work on the files alone.
import path from 'node:path';
import type { Incident } from './incident.ts';
import { readLog, RotatingLog } from './rotating-log.ts';

export const INCIDENT_RETAIN = 4;

export interface IncidentQuery {
  since?: number;
  /** Container id prefix or name among the incident's containers. */
  container?: string;
  state?: 'open' | 'closed';
  limit?: number;
}

export const incidentDir = (stateDir: string): string => path.join(stateDir, 'incidents');

const isIncident = (value: unknown): value is Incident =>
  typeof value === 'object' &&
  value !== null &&
  (value as Incident).version === 1 &&
  typeof (value as Incident).id === 'string' &&
  Array.isArray((value as Incident).alerts);

/** Latest version of each incident, newest (by start) first. */
export function queryIncidents(stateDir: string, query: IncidentQuery = {}): Incident[] {
  const latest = new Map<string, Incident>();
  for (const incident of readLog(incidentDir(stateDir), 'incidents', INCIDENT_RETAIN, isIncident)) {
    latest.set(incident.id, incident);
  }
  return selectIncidents(latest.values(), query);
}

/** The query's incidents, newest (by start) first: the agent's store and the hub answer alike. */
export function selectIncidents(incidents: Iterable<Incident>, query: IncidentQuery = {}): Incident[] {
  const wanted = query.container;
  const sorted = [...incidents].sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
  const result: Incident[] = [];
  for (const incident of sorted) {
    if (query.since !== undefined && Date.parse(incident.end) < query.since) continue;
    if (query.state && incident.state !== query.state) continue;
    if (wanted && !incident.containers.some((c) => c.name === wanted || c.id.startsWith(wanted))) continue;
    result.push(incident);
    if (query.limit !== undefined && result.length >= query.limit) break;
  }
  return result;
}

export function findIncident(stateDir: string, id: string): Incident | null {
  let found: Incident | null = null;
  for (const incident of readLog(incidentDir(stateDir), 'incidents', INCIDENT_RETAIN, isIncident)) {
    if (incident.id === id) found = incident;
  }
  return found;
}

export class IncidentStore {
  readonly #log: RotatingLog;
  readonly #stateDir: string;

  constructor(stateDir: string, maxBytes: number) {
    this.#stateDir = stateDir;
    this.#log = new RotatingLog({ dir: incidentDir(stateDir), base: 'incidents', maxBytes, retain: INCIDENT_RETAIN });
  }

  write(incident: Incident): void {
    this.#log.append(incident);
  }

  query(query: IncidentQuery = {}): Incident[] {
    return queryIncidents(this.#stateDir, query);
  }

  find(id: string): Incident | null {
    return findIncident(this.#stateDir, id);
  }

  diskBytes(): number {
    return this.#log.diskBytes();
  }
}
