import { describe, expect, it } from 'vitest';
import {
  decodePacket,
  formatAddress,
  IPPROTO_TCP,
  IPPROTO_UDP,
  LINKTYPE_ETHERNET,
  newPacketMeta,
  TCP_ACK,
  TCP_SYN,
} from '../../../../collector/packets/packet-decoder.ts';
import { ethernet, ipv4Frame, ipv6Frame } from '../../../support/packet-builder.ts';

const decode = (frame: Buffer, caplen = frame.length) => {
  const meta = newPacketMeta();
  return { status: decodePacket(frame, caplen, LINKTYPE_ETHERNET, meta), meta };
};

const V6_SRC = Buffer.from('fd000000000000000000000000000002', 'hex');
const V6_DST = Buffer.from('fd000000000000000000000000000003', 'hex');

describe('decodePacket', () => {
  it('reads addresses, ports, flags and wire length of a TCP SYN-ACK', () => {
    const frame = ipv4Frame({
      src: '198.18.0.2',
      dst: '203.0.113.10',
      protocol: 'tcp',
      srcPort: 41234,
      dstPort: 4444,
      flags: 'SA',
    });
    const { status, meta } = decode(frame);
    expect(status).toBe('ip');
    expect(formatAddress(frame, meta.srcOffset, 4)).toBe('198.18.0.2');
    expect(formatAddress(frame, meta.dstOffset, 4)).toBe('203.0.113.10');
    expect([meta.protocol, meta.srcPort, meta.dstPort]).toEqual([IPPROTO_TCP, 41234, 4444]);
    expect(meta.tcpFlags).toBe(TCP_SYN | TCP_ACK);
    expect(meta.wireBytes).toBe(frame.length);
  });

  it('looks through stacked 802.1Q tags', () => {
    const frame = ipv4Frame({ src: '198.18.0.2', dst: '198.18.0.3', protocol: 'udp', dstPort: 9999, vlan: [10, 20] });
    const { status, meta } = decode(frame);
    expect(status).toBe('ip');
    expect(meta.dstPort).toBe(9999);
    expect(meta.wireBytes).toBe(frame.length);
  });

  it('ignores ARP instead of calling it malformed', () => {
    expect(decode(Buffer.concat([ethernet(0x0806), Buffer.alloc(28)])).status).toBe('ignored');
  });

  it('skips IPv6 hop-by-hop, destination options and fragment headers to reach UDP', () => {
    const udp = Buffer.from([0x9c, 0x40, 0x00, 0x35, 0, 8, 0, 0]);
    const frame = ipv6Frame({
      src: V6_SRC,
      dst: V6_DST,
      extensions: [
        { type: 0, body: Buffer.alloc(6) },
        { type: 60, body: Buffer.alloc(14) },
        { type: 44, body: Buffer.alloc(6) },
      ],
      protocol: IPPROTO_UDP,
      l4: udp,
    });
    const { status, meta } = decode(frame);
    expect(status).toBe('ip');
    expect([meta.protocol, meta.srcPort, meta.dstPort]).toEqual([IPPROTO_UDP, 40000, 53]);
    expect(formatAddress(frame, meta.srcOffset, 6)).toBe('fd00::2');
  });

  it('calls an extension header chain that runs past the packet malformed', () => {
    const frame = ipv6Frame({
      src: V6_SRC,
      dst: V6_DST,
      extensions: [{ type: 0, body: Buffer.alloc(6) }],
      protocol: 6,
      l4: Buffer.alloc(0),
    });
    frame[14 + 40 + 1] = 200; // hop-by-hop claims 1608 bytes
    expect(decode(frame).status).toBe('malformed');
  });

  it('counts every truncation of a TCP frame as malformed or decoded, never throwing', () => {
    const frame = ipv4Frame({ src: '198.18.0.2', dst: '198.18.0.3', protocol: 'tcp', flags: 'S' });
    for (let caplen = 0; caplen < frame.length; caplen++) {
      const { status } = decode(frame.subarray(0, caplen));
      expect(status).toBe(caplen < 14 + 20 + 14 ? 'malformed' : 'ip');
    }
  });

  it('rejects an IPv4 header whose lengths contradict each other', () => {
    const shortTotal = ipv4Frame({ src: '198.18.0.2', dst: '198.18.0.3', protocol: 'udp' });
    shortTotal.writeUInt16BE(10, 14 + 2); // total length below the header length
    expect(decode(shortTotal).status).toBe('malformed');
    const badIhl = ipv4Frame({ src: '198.18.0.2', dst: '198.18.0.3', protocol: 'udp' });
    badIhl[14] = 0x43; // IHL 3 words
    expect(decode(badIhl).status).toBe('malformed');
    const badTcpOffset = ipv4Frame({ src: '198.18.0.2', dst: '198.18.0.3', protocol: 'tcp' });
    badTcpOffset[14 + 20 + 12] = 0x10; // data offset 4 bytes
    expect(decode(badTcpOffset).status).toBe('malformed');
  });

  it('takes the wire length from the IP header when the capture was cut by the snaplen', () => {
    const frame = ipv4Frame({ src: '198.18.0.2', dst: '198.18.0.3', protocol: 'udp', payload: Buffer.alloc(1000) });
    const { status, meta } = decode(frame, 96);
    expect(status).toBe('ip');
    expect(meta.wireBytes).toBe(frame.length);
    expect(meta.payloadLength).toBe(96 - 14 - 20 - 8);
  });

  it('decodes a frame in place inside a larger buffer, offsets into that buffer', () => {
    const frame = ipv4Frame({ src: '198.18.0.2', dst: '203.0.113.10', protocol: 'tcp', srcPort: 41234, flags: 'S' });
    const window = Buffer.concat([Buffer.alloc(37, 0xee), frame, Buffer.alloc(50, 0xee)]);
    const alone = decode(frame).meta;
    const meta = newPacketMeta();
    expect(decodePacket(window, frame.length, LINKTYPE_ETHERNET, meta, 37)).toBe('ip');
    expect(meta).toEqual({
      ...alone,
      srcOffset: alone.srcOffset + 37,
      dstOffset: alone.dstOffset + 37,
      payloadOffset: alone.payloadOffset + 37,
    });
    expect(formatAddress(window, meta.srcOffset, 4)).toBe('198.18.0.2');
  });

  it('never reads past caplen when decoding in place, whatever follows in the buffer', () => {
    const frame = ipv4Frame({ src: '198.18.0.2', dst: '198.18.0.3', protocol: 'tcp' });
    const window = Buffer.concat([Buffer.alloc(5), frame]);
    const meta = newPacketMeta();
    for (let caplen = 0; caplen < frame.length; caplen++) {
      const status = decodePacket(window, caplen, LINKTYPE_ETHERNET, meta, 5);
      expect(status, `caplen ${caplen}`).toBe(decode(frame, caplen).status);
    }
    // A start beyond the buffer is a malformed frame, not an exception.
    expect(decodePacket(window, 60, LINKTYPE_ETHERNET, meta, window.length + 10)).toBe('malformed');
  });

  it('survives random bytes', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const meta = newPacketMeta();
    for (let i = 0; i < 2000; i++) {
      const frame = Buffer.from(Array.from({ length: i % 120 }, random));
      if (i % 3 === 0 && frame.length > 14) frame.writeUInt16BE(i % 2 ? 0x0800 : 0x86dd, 12);
      expect(['ip', 'ignored', 'malformed']).toContain(decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta));
    }
  });
});
