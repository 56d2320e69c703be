import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../../core/iso-time.ts';

/** The text, or the error's name when there is none (past ±8.64e15 ms, not finite). */
const spelled = (format: () => string): string => {
  try {
    return format();
  } catch (error) {
    return (error as Error).name;
  }
};

describe('isoTime', () => {
  it('spells every time as toISOString does, fractional, far apart or in the same second', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e15, max: 1e16 }), fc.integer({ min: 1.7e12, max: 1.7e12 + 5000 })), {
          minLength: 1,
          maxLength: 20,
        }),
        (times) => {
          for (const ms of times) expect(spelled(() => isoTime(ms))).toBe(spelled(() => new Date(ms).toISOString()));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('pads the milliseconds and keeps the cached second apart from its neighbours', () => {
    const base = Date.UTC(2026, 11, 4, 1, 2, 3);
    expect(isoTime(base + 7)).toBe('2026-12-04T01:02:03.007Z');
    expect(isoTime(base + 1000 + 42)).toBe('2026-12-04T01:02:04.042Z');
    expect(isoTime(base + 4000)).toBe('2026-12-04T01:02:07.000Z');
    expect(isoTime(base + 999.9)).toBe('2026-12-04T01:02:03.999Z');
  });

  it('throws for a time that is not one, as toISOString does', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(Infinity)).toThrow(RangeError);
  });
});
