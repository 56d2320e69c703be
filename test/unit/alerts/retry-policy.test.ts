import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '../../../alerts/retry-policy.ts';

const policy = { base: 500, max: 60_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling with each failed attempt', () => {
    const top = (attempt: number) => backoffDelay(attempt, null, policy, () => 1);
    expect([1, 2, 3, 4].map(top)).toEqual([500, 1000, 2000, 4000]);
  });

  it('jitters between half the ceiling and the ceiling', () => {
    expect(backoffDelay(3, null, policy, () => 0)).toBe(1000);
    expect(backoffDelay(3, null, policy, () => 0.5)).toBe(1500);
  });

  it('never waits longer than the maximum', () => {
    expect(backoffDelay(40, null, policy, () => 1)).toBe(60_000);
  });

  it("waits at least as long as the receiver's Retry-After", () => {
    expect(backoffDelay(1, 7000, policy, () => 0)).toBe(7000);
  });

  it('keeps its own delay when Retry-After is shorter', () => {
    expect(backoffDelay(4, 1000, policy, () => 1)).toBe(4000);
  });

  it('caps an absurd Retry-After at the maximum', () => {
    expect(backoffDelay(1, 86_400_000, policy, () => 0)).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T04:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 04:00:10 GMT', now)).toBe(10_000);
  });

  it('is null when absent or unreadable', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('isRetryableStatus', () => {
  it('retries server errors, 408 and 429 but not other client errors', () => {
    expect([500, 502, 503, 408, 429].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });
});
