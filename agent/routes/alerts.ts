// GET /api/alerts?since=&limit=&rule=&container= — alerts from the journal, newest first.
// `since` takes an ISO time or a duration back from now ("15m"); bad values are a 400, not a guess.
// `since` is read by core's parseSince, so ?since= and the CLI's --since can never disagree.
// The agent registers it over the alert pipeline's journal: alerts/ serves no HTTP of its own.
import type { AlertQuery, Journal } from '../../alerts/journal.ts';
import { parseSince } from '../../core/duration.ts';
import { badRequest } from '../../core/http-errors.ts';
import type { HttpServer } from '../server.ts';
import { isRuleId } from '../../findings/index.ts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

/** ?since= as epoch ms, null when absent; a bad value is a 400 (the hub's /api/alerts reads it too). */
export function parseSinceParam(params: URLSearchParams, now: number = Date.now()): number | null {
  const since = params.get('since');
  if (since === null || since === '') return null;
  const time = parseSince(since, now);
  if (time === null) throw badRequest(`since: expected an ISO time or a duration like 15m, got "${since}"`);
  return time;
}

export function parseAlertQuery(params: URLSearchParams, now: number = Date.now()): AlertQuery {
  const query: AlertQuery = { limit: DEFAULT_LIMIT };
  const since = parseSinceParam(params, now);
  if (since !== null) query.since = since;
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw badRequest(`limit: expected a whole number from 1 to ${MAX_LIMIT}, got "${limit}"`);
    }
    query.limit = Number(limit);
  }
  const rule = params.get('rule');
  if (rule) {
    if (!isRuleId(rule)) throw badRequest(`rule: unknown rule "${rule}"`);
    query.rule = rule;
  }
  const container = params.get('container');
  if (container) query.container = container;
  return query;
}

export function registerAlertRoutes(server: HttpServer, journal: Journal): void {
  server.route({
    method: 'GET',
    path: '/api/alerts',
    handler: ({ query }) => ({ json: { alerts: journal.query(parseAlertQuery(query)) } }),
  });
}
