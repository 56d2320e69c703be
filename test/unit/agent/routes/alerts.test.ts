// GET /api/alerts query parsing. parseSince's own cases live in test/unit/core/duration.test.ts,
// beside the function, since the CLI reads --since with it too.
import { describe, expect, it } from 'vitest';
import { parseAlertQuery } from '../../../../agent/routes/alerts.ts';
import { HttpError } from '../../../../core/http-errors.ts';

const now = Date.parse('2026-11-23T04:00:00Z');
const q = (text: string) => parseAlertQuery(new URLSearchParams(text), now);

describe('parseAlertQuery', () => {
  it('defaults to the 100 newest alerts', () => {
    expect(q('')).toEqual({ limit: 100 });
  });

  it('reads since as an ISO time or a duration ago', () => {
    expect(q('since=2026-11-23T03:00:00Z').since).toBe(Date.parse('2026-11-23T03:00:00Z'));
    expect(q('since=15m').since).toBe(now - 15 * 60_000);
  });

  it('rejects a bad since, limit or rule with a 400', () => {
    for (const bad of ['since=yesterday', 'limit=0', 'limit=abc', 'limit=100001', 'rule=nope']) {
      expect(() => q(bad), bad).toThrow(HttpError);
    }
  });

  it('passes rule and container through', () => {
    expect(q('rule=new_peer&container=web')).toMatchObject({ rule: 'new_peer', container: 'web' });
  });
});
