import { describe, expect, it } from 'vitest';
import { AddressTexts } from '../../../../collector/flows/address-texts.ts';
import { formatAddress } from '../../../../collector/packets/index.ts';

describe('AddressTexts', () => {
  it('spells IPv4 and IPv6 addresses as formatAddress does, at any offset', () => {
    const texts = new AddressTexts();
    const buf = Buffer.from([0, 0, 198, 18, 200, 3, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(texts.text(buf, 2, 4)).toBe('198.18.200.3');
    expect(texts.text(buf, 2, 4)).toBe(formatAddress(buf, 2, 4));
    expect(texts.text(buf, 6, 6)).toBe('fd00::1');
    expect(texts.text(buf, 6, 6)).toBe(formatAddress(buf, 6, 6));
  });

  it('stays right past its bound, where it starts over', () => {
    const texts = new AddressTexts();
    const buf = Buffer.alloc(4);
    for (let i = 0; i < 70_000; i++) {
      buf.writeUInt32BE((0xc6120000 + i) >>> 0);
      expect(texts.text(buf, 0, 4)).toBe(`${buf[0]}.${buf[1]}.${buf[2]}.${buf[3]}`);
    }
    buf.writeUInt32BE(0xc6120001);
    expect(texts.text(buf, 0, 4)).toBe('198.18.0.1');
  });
});
