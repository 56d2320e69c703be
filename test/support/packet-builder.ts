// Builds Ethernet frames byte by byte for decoder and flow-table tests and the benchmark: the
// fields a test cares about are parameters, everything else is a plausible constant.

export interface FrameSpec {
  src: string;
  dst: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  srcPort?: number;
  dstPort?: number;
  /** TCP flag letters, e.g. "S", "SA", "A", "FA", "R". */
  flags?: string;
  payload?: Buffer;
  vlan?: number[];
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** An IPv4 frame with an Ethernet header (and optional 802.1Q tags). */
export function ipv4Frame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  let l4: Buffer;
  if (spec.protocol === 'tcp') {
    l4 = Buffer.alloc(20);
    l4.writeUInt16BE(spec.srcPort ?? 40000, 0);
    l4.writeUInt16BE(spec.dstPort ?? 80, 2);
    l4[12] = 5 << 4;
    l4[13] = [...(spec.flags ?? 'A')].reduce((bits, letter) => bits | (FLAG_BITS[letter] ?? 0), 0);
  } else if (spec.protocol === 'udp') {
    l4 = Buffer.alloc(8);
    l4.writeUInt16BE(spec.srcPort ?? 40000, 0);
    l4.writeUInt16BE(spec.dstPort ?? 53, 2);
    l4.writeUInt16BE(8 + payload.length, 4);
  } else {
    l4 = Buffer.from([8, 0, 0, 0, 0x12, 0x34, 0, 1]);
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + l4.length + payload.length, 2);
  ip[8] = 64;
  ip[9] = spec.protocol === 'tcp' ? 6 : spec.protocol === 'udp' ? 17 : 1;
  Buffer.from(ipv4Bytes(spec.src)).copy(ip, 12);
  Buffer.from(ipv4Bytes(spec.dst)).copy(ip, 16);
  // A valid header checksum: with br_netfilter loaded (Docker loads it) the bridge drops bad ones.
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([ethernet(0x0800, spec.vlan ?? []), ip, l4, payload]);
}

export function ethernet(etherType: number, vlans: number[] = []): Buffer {
  const header = Buffer.alloc(14 + 4 * vlans.length);
  Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]).copy(header, 0);
  let at = 12;
  for (const vlan of vlans) {
    header.writeUInt16BE(0x8100, at);
    header.writeUInt16BE(vlan, at + 2);
    at += 4;
  }
  header.writeUInt16BE(etherType, at);
  return header;
}

/** An IPv6 frame whose payload follows the given extension headers (each: [next header, bytes]). */
export function ipv6Frame(opts: {
  src: Buffer;
  dst: Buffer;
  extensions: { type: number; body: Buffer }[];
  protocol: number;
  l4: Buffer;
}): Buffer {
  const chain: Buffer[] = [];
  const types = [...opts.extensions.map((e) => e.type), opts.protocol];
  opts.extensions.forEach((ext, i) => {
    const header = Buffer.concat([Buffer.from([types[i + 1] ?? 59, 0]), ext.body]);
    if (ext.type !== 44) header[1] = header.length / 8 - 1;
    chain.push(header);
  });
  const rest = Buffer.concat([...chain, opts.l4]);
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip.writeUInt16BE(rest.length, 4);
  ip[6] = types[0] ?? 59;
  ip[7] = 64;
  opts.src.copy(ip, 8);
  opts.dst.copy(ip, 24);
  return Buffer.concat([ethernet(0x86dd), ip, rest]);
}

/** A classic little-endian pcap file (microsecond timestamps, Ethernet) holding `frames`. */
export function pcapFile(frames: { at: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const records = frames.map(({ at, data }) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(at / 1000), 0);
    record.writeUInt32LE(Math.round((at % 1000) * 1000), 4);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    return Buffer.concat([record, data]);
  });
  return Buffer.concat([header, ...records]);
}
