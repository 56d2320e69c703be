// GET /api/flows/history?since=&container=&workload=&dst=&limit= — ended flows from the flow log,
// newest first: who talked to whom after the live table (GET /api/flows) has forgotten it.
import type { FlowHistory, FlowHistoryQuery } from '../../alerts/flow-history.ts';
import { parseSince } from '../../core/duration.ts';
import { badRequest } from '../../core/http-errors.ts';
import type { HttpServer } from '../server.ts';
import { MAX_LIMIT } from './alerts.ts';

const DEFAULT_LIMIT = 1000;

export function parseFlowHistoryQuery(params: URLSearchParams, now: number = Date.now()): FlowHistoryQuery {
  const query: FlowHistoryQuery = { limit: DEFAULT_LIMIT };
  const since = params.get('since');
  if (since) {
    const time = parseSince(since, now);
    if (time === null) throw badRequest(`since: expected an ISO time or a duration like 1h, got "${since}"`);
    query.since = time;
  }
  const limit = params.get('limit');
  if (limit) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw badRequest(`limit: expected a whole number from 1 to ${MAX_LIMIT}, got "${limit}"`);
    }
    query.limit = Number(limit);
  }
  for (const key of ['container', 'workload', 'dst'] as const) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  return query;
}

export function registerFlowHistoryRoutes(server: HttpServer, history: FlowHistory): void {
  server.route({
    method: 'GET',
    path: '/api/flows/history',
    handler: ({ query }) => ({ json: { flows: history.query(parseFlowHistoryQuery(query)) } }),
  });
}
