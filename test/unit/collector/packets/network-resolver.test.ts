import { describe, expect, it } from 'vitest';
import {
  decodePacket,
  LINKTYPE_ETHERNET,
  newPacketMeta,
  NetworkResolver,
} from '../../../../collector/packets/index.ts';
import { ipv4Frame } from '../../../support/packet-builder.ts';

const resolveFrame = (resolver: NetworkResolver, src: string, dst: string): string => {
  const frame = ipv4Frame({ src, dst, protocol: 'tcp', srcPort: 40000, dstPort: 80, flags: 'S' });
  const meta = newPacketMeta();
  expect(decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta)).toBe('ip');
  return resolver.resolve(meta, frame);
};

describe('NetworkResolver', () => {
  const resolver = new NetworkResolver({
    'front\u0000198.18.1.0/24': '198.18.1.0/24',
    'front\u0000198.18.9.0/24': '198.18.9.0/24',
    back: '198.18.2.0/24',
  });

  it('names the network holding the source, else the destination', () => {
    expect(resolveFrame(resolver, '198.18.2.5', '198.18.1.7')).toBe('back');
    expect(resolveFrame(resolver, '203.0.113.10', '198.18.1.7')).toBe('front');
    expect(resolveFrame(resolver, '203.0.113.10', '198.18.9.3')).toBe('front');
  });

  it('says pcap when neither end is in a known subnet', () => {
    expect(resolveFrame(resolver, '203.0.113.10', '203.0.113.11')).toBe('pcap');
  });

  it('says pcap for every packet when it knows no subnet', () => {
    const none = new NetworkResolver({});
    expect(resolveFrame(none, '198.18.2.5', '198.18.1.7')).toBe('pcap');
  });

  it('skips a subnet it cannot read', () => {
    const partly = new NetworkResolver({ bad: 'not-a-cidr', back: '198.18.2.0/24' });
    expect(resolveFrame(partly, '198.18.2.5', '203.0.113.10')).toBe('back');
  });
});
