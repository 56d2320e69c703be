// GET /api/incidents?since=&container=&state=&limit= — correlated incidents, newest first, each
// with its alerts; GET /api/incidents/{id} — one incident. Read from the incident store's files,
// so an incident of an earlier run answers too.
import type { IncidentQuery, IncidentStore } from '../../alerts/incident-store.ts';
import { parseSince } from '../../core/duration.ts';
import { badRequest, notFound } from '../../core/http-errors.ts';
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
