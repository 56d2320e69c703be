import { isIPv4 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseIpv4, prefixMask } from '../../../../collector/flows/ipv4-number.ts';

describe('parseIpv4', () => {
  it('reads a dotted quad as an unsigned number', () => {
    expect(parseIpv4('198.18.1.2')).toBe(0xc6120102);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('0.0.0.0')).toBe(0);
  });

  it('rejects exactly what node:net isIPv4 rejects', () => {
    const texts = [
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.256',
      '1..2.3',
      '.1.2.3',
      '1.2.3.4.',
      ' 1.2.3.4',
      '+1.2.3.4',
    ];
    texts.push('::1', 'fd00::3', '::ffff:1.2.3.4', '', 'a.b.c.d', '1.2.3.04', '198.18.0.0/15', '1.2.3.1000');
    for (const text of texts) expect(parseIpv4(text) >= 0, text).toBe(isIPv4(text));
    let seed = 1;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % 300;
    for (let i = 0; i < 2000; i++) {
      const text = [random(), random(), random(), random()].join('.');
      expect(parseIpv4(text) >= 0, text).toBe(isIPv4(text));
    }
  });
});

describe('prefixMask', () => {
  it('covers /0 to /32', () => {
    expect([prefixMask(0), prefixMask(8), prefixMask(31), prefixMask(32)]).toEqual([
      0, 0xff000000, 0xfffffffe, 0xffffffff,
    ]);
  });
});
