// parseSince is shared by GET /api/alerts?since= and `shipwatch alerts --since`; its cases are
// tested here once, where it lives, rather than through either caller.
import { describe, expect, it } from 'vitest';
import { parseSince } from '../../../core/duration.ts';

const now = Date.parse('2026-11-23T04:00:00Z');

describe('parseSince', () => {
  it('reads a duration as that long before now', () => {
    expect(parseSince('15m', now)).toBe(now - 15 * 60_000);
  });

  it('reads an ISO time as that time', () => {
    expect(parseSince('2026-11-23T03:00:00Z', now)).toBe(Date.parse('2026-11-23T03:00:00Z'));
  });

  it('does not take a bare number for a duration or a date', () => {
    expect(parseSince('42', now)).toBeNull();
  });

  it('rejects text that is neither', () => {
    expect(parseSince('yesterday', now)).toBeNull();
  });
});
