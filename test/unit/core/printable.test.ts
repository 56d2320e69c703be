import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printable } from '../../../core/printable.ts';

// eslint-disable-next-line no-control-regex -- what must never come out
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it('turns ANSI escapes, newlines and bidi overrides into visible escapes', () => {
    expect(printable('red\u001b[31m\nfake line\r\u202eexe.sh')).toBe('red\\x1b[31m\\x0afake line\\x0d\\u202eexe.sh');
  });

  it('keeps printable text of any script unchanged, and cuts long text with an ellipsis', () => {
    expect(printable('shop/api — データ 🚀')).toBe('shop/api — データ 🚀');
    expect(printable('x'.repeat(10 * 1024 * 1024), 100)).toBe(`${'x'.repeat(100)}…`);
  });

  it('never lets a control character, separator or lone surrogate through, and stays bounded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (text, max) => {
        const out = printable(text, max);
        expect(out).not.toMatch(UNSAFE);
        expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        expect(out.length).toBeLessThanOrEqual(max * 6 + 1);
      }),
      { numRuns: 500, interruptAfterTimeLimit: 5000 },
    );
  });
});
