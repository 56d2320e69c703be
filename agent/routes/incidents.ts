// GET /api/incidents?since=&container=&state=&limit= — correlated incidents, newest first, each
// with its alerts; GET /api/incidents/{id} — one incident. On an agent, read from the incident
// store's files, so an incident of an earlier run answers too. On the hub, rebuilt from the
// fleet's alerts at each request (alerts/incidents-from-alerts.ts), with `host=` besides.
import { selectIncidents, type IncidentQuery, type IncidentStore } from '../../alerts/incident-store.ts';
import { incidentsFromAlerts } from '../../alerts/incidents-from-alerts.ts';
import type { IncidentSettings } from '../../alerts/incident-tracker.ts';
import { parseSince } from '../../core/duration.ts';
import { badRequest, HttpError, notFound } from '../../core/http-errors.ts';
import type { HttpServer } from '../server.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './alerts.ts';

export function parseIncidentQuery(params: URLSearchParams, now: number = Date.now()): IncidentQuery {
  const query: IncidentQuery = { limit: DEFAULT_LIMIT };
  const since = params.get('since');
  if (since) {
    const time = parseSince(since, now);
    if (time === null) throw badRequest(`since: expected an ISO time or a duration like 15m, got "${since}"`);
    query.since = time;
  }
  const limit = params.get('limit');
  if (limit) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw badRequest(`limit: expected a whole number from 1 to ${MAX_LIMIT}, got "${limit}"`);
    }
    query.limit = Number(limit);
  }
  const state = params.get('state');
  if (state) {
    if (state !== 'open' && state !== 'closed') throw badRequest(`state: expected open or closed, got "${state}"`);
    query.state = state;
  }
  const container = params.get('container');
  if (container) query.container = container;
  return query;
}

export function registerIncidentRoutes(server: HttpServer, store: IncidentStore): void {
  server.route({
    method: 'GET',
    path: '/api/incidents',
    handler: ({ query }) => ({ json: { incidents: store.query(parseIncidentQuery(query)) } }),
  });
  server.route({
    method: 'GET',
    path: '/api/incidents/:id',
    handler: ({ params }) => {
      const incident = store.find(params.id ?? '');
      if (!incident) throw notFound(`no incident "${params.id ?? ''}"`);
      return { json: incident };
    },
  });
}

/** The hub's: the same routes and shape over every host's alerts (`alerts()`: the hub's, in stream order). */
export function registerHubIncidentRoutes(
  server: HttpServer,
  alerts: () => Iterable<unknown>,
  settings: Pick<IncidentSettings, 'gap' | 'max_alerts'>,
): void {
  const rebuild = (host: string | null, incident: string | null = null) =>
    incidentsFromAlerts(alerts(), {
      gap: settings.gap,
      maxAlerts: settings.max_alerts,
      now: Date.now(),
      host,
      incident,
    });
  server.route({
    method: 'GET',
    path: '/api/incidents',
    handler: ({ query }) => ({
      json: { incidents: selectIncidents(rebuild(query.get('host')), parseIncidentQuery(query)) },
    }),
  });
  server.route({
    method: 'GET',
    path: '/api/incidents/:id',
    handler: ({ params, query }) => {
      const id = params.id ?? '';
      const found = rebuild(query.get('host'), id);
      const [incident] = found;
      if (!incident) throw notFound(`no incident "${id}"`);
      // Ids are random per agent, so two hosts sharing one is all but impossible, yet not refused.
      if (found.length > 1) {
        const hosts = found.map((i) => i.host).join(', ');
        throw new HttpError(409, 'ambiguous', `incident "${id}" is on hosts ${hosts}: add ?host=`);
      }
      return { json: incident };
    },
  });
}
