// Header reader for captured frames: Ethernet (802.1Q/802.1ad tags), Linux cooked, raw IP,
// IPv4, IPv6 with extension headers, TCP, UDP, ICMP, ICMPv6. Hand-written instead of
// `cap.decoders` because those build a fresh object with string addresses for every layer of every
// packet; this one fills one reused record with offsets and numbers (bench/decode.ts measures both,
// bench/README.md has the numbers). It never throws: every read is bounds-checked against the
// captured length, and anything that does not add up is reported as `malformed`.

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

/** TCP flag bits as they sit in byte 13 of the header. */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

/** `ip`: an IP packet, decoded; `ignored`: not IP (ARP, LLDP, other link types); `malformed`: lengths or headers that do not add up. */
export type DecodeStatus = 'ip' | 'ignored' | 'malformed';

/** One reused record per capture; valid until the next decode() into it. */
export interface PacketMeta {
  ipVersion: 4 | 6;
  protocol: number;
  /** Offsets of the source and destination addresses in the buffer (4 or 16 bytes each). */
  srcOffset: number;
  dstOffset: number;
  /** Ports for TCP/UDP; the echo identifier on both sides for ICMP echo; else 0. */
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  /** Bytes of the frame on the wire: link header + the IP length the header declares. */
  wireBytes: number;
  /** Transport payload: where it starts and how much of it was captured. */
  payloadOffset: number;
  payloadLength: number;
  /** A later IP fragment: no transport header of its own. */
  fragment: boolean;
}

export function newPacketMeta(): PacketMeta {
  return {
    ipVersion: 4,
    protocol: 0,
    srcOffset: 0,
    dstOffset: 0,
    srcPort: 0,
    dstPort: 0,
    tcpFlags: 0,
    wireBytes: 0,
    payloadOffset: 0,
    payloadLength: 0,
    fragment: false,
  };
}

const MAX_VLAN_TAGS = 4;
const MAX_IPV6_EXTENSIONS = 8;

/**
 * Decodes the frame in buf[start, start + caplen) of the given link type into `out`; offsets in
 * `out` are into `buf`. `start` lets a reader decode in place inside its own window instead of
 * handing over a view per packet (a Buffer allocation each, bench/README.md).
 */
export function decodePacket(
  buf: Uint8Array,
  caplen: number,
  linkType: number,
  out: PacketMeta,
  start = 0,
): DecodeStatus {
  const end = Math.min(start + caplen, buf.length);
  let offset: number;
  let etherType: number;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (end < start + 14) return 'malformed';
      etherType = (buf[start + 12]! << 8) | buf[start + 13]!;
      offset = start + 14;
      for (let tags = 0; etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100; tags++) {
        if (tags === MAX_VLAN_TAGS || offset + 4 > end) return 'malformed';
        etherType = (buf[offset + 2]! << 8) | buf[offset + 3]!;
        offset += 4;
      }
      break;
    }
    case LINKTYPE_LINUX_SLL:
      if (end < start + 16) return 'malformed';
      etherType = (buf[start + 14]! << 8) | buf[start + 15]!;
      offset = start + 16;
      break;
    case LINKTYPE_LINUX_SLL2:
      if (end < start + 20) return 'malformed';
      etherType = (buf[start]! << 8) | buf[start + 1]!;
      offset = start + 20;
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (end < start + 4) return 'malformed';
      // The address family in host (NULL) or network (LOOP) byte order: 2 = AF_INET; 10, 24, 28, 30 = AF_INET6 on various systems.
      const family = buf[start]! | buf[start + 3]!;
      etherType = family === 2 ? 0x0800 : family === 10 || family === 24 || family === 28 || family === 30 ? 0x86dd : 0;
      offset = start + 4;
      break;
    }
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      if (end < start + 1) return 'malformed';
      etherType = buf[start]! >> 4 === 6 ? 0x86dd : 0x0800;
      offset = start;
      break;
    default:
      return 'ignored';
  }
  if (etherType === 0x0800) return decodeIpv4(buf, offset, end, offset - start, out);
  if (etherType === 0x86dd) return decodeIpv6(buf, offset, end, offset - start, out);
  return 'ignored';
}

/** `linkBytes`: the link header before the IP header, counted in wireBytes. */
function decodeIpv4(buf: Uint8Array, offset: number, end: number, linkBytes: number, out: PacketMeta): DecodeStatus {
  if (offset + 20 > end) return 'malformed';
  const first = buf[offset]!;
  const headerLength = (first & 0x0f) * 4;
  const totalLength = (buf[offset + 2]! << 8) | buf[offset + 3]!;
  if (first >> 4 !== 4 || headerLength < 20 || totalLength < headerLength || offset + headerLength > end) {
    return 'malformed';
  }
  const fragmentOffset = ((buf[offset + 6]! & 0x1f) << 8) | buf[offset + 7]!;
  out.ipVersion = 4;
  out.protocol = buf[offset + 9]!;
  out.srcOffset = offset + 12;
  out.dstOffset = offset + 16;
  out.wireBytes = linkBytes + totalLength;
  out.fragment = fragmentOffset !== 0;
  // A frame shorter than the IP length is a snaplen cut; trailing bytes past it are Ethernet padding.
  const l4End = Math.min(end, offset + totalLength);
  return decodeTransport(buf, offset + headerLength, l4End, out);
}

function decodeIpv6(buf: Uint8Array, offset: number, end: number, linkBytes: number, out: PacketMeta): DecodeStatus {
  if (offset + 40 > end) return 'malformed';
  if (buf[offset]! >> 4 !== 6) return 'malformed';
  const payloadLength = (buf[offset + 4]! << 8) | buf[offset + 5]!;
  out.ipVersion = 6;
  out.srcOffset = offset + 8;
  out.dstOffset = offset + 24;
  out.wireBytes = linkBytes + 40 + payloadLength;
  out.fragment = false;
  const l4End = Math.min(end, offset + 40 + payloadLength);
  let next = buf[offset + 6]!;
  let cursor = offset + 40;
  for (let count = 0; ; count++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      // Hop-by-hop, routing, destination options, mobility, HIP, shim6: length in 8-octet units, not counting the first 8.
      if (count === MAX_IPV6_EXTENSIONS || cursor + 2 > l4End) return 'malformed';
      next = buf[cursor]!;
      cursor += (buf[cursor + 1]! + 1) * 8;
    } else if (next === 44) {
      if (count === MAX_IPV6_EXTENSIONS || cursor + 8 > l4End) return 'malformed';
      const fragmentOffset = ((buf[cursor + 2]! << 8) | buf[cursor + 3]!) >> 3;
      if (fragmentOffset !== 0) out.fragment = true;
      next = buf[cursor]!;
      cursor += 8;
    } else if (next === 51) {
      // Authentication header: length in 4-octet units, not counting the first 2.
      if (count === MAX_IPV6_EXTENSIONS || cursor + 2 > l4End) return 'malformed';
      next = buf[cursor]!;
      cursor += (buf[cursor + 1]! + 2) * 4;
    } else {
      break;
    }
  }
  out.protocol = next;
  return decodeTransport(buf, cursor, l4End, out);
}

function decodeTransport(buf: Uint8Array, offset: number, end: number, out: PacketMeta): DecodeStatus {
  out.srcPort = 0;
  out.dstPort = 0;
  out.tcpFlags = 0;
  out.payloadOffset = end;
  out.payloadLength = 0;
  if (out.fragment) return 'ip';
  switch (out.protocol) {
    case IPPROTO_TCP: {
      if (offset + 14 > end) return 'malformed';
      out.srcPort = (buf[offset]! << 8) | buf[offset + 1]!;
      out.dstPort = (buf[offset + 2]! << 8) | buf[offset + 3]!;
      const dataOffset = (buf[offset + 12]! >> 4) * 4;
      if (dataOffset < 20) return 'malformed';
      out.tcpFlags = buf[offset + 13]! & 0x3f;
      setPayload(offset + dataOffset, end, out);
      return 'ip';
    }
    case IPPROTO_UDP: {
      if (offset + 8 > end) return 'malformed';
      out.srcPort = (buf[offset]! << 8) | buf[offset + 1]!;
      out.dstPort = (buf[offset + 2]! << 8) | buf[offset + 3]!;
      const length = (buf[offset + 4]! << 8) | buf[offset + 5]!;
      // 0 is legal for IPv6 jumbograms; anything else below the header size is not.
      if (length !== 0 && length < 8) return 'malformed';
      setPayload(offset + 8, length === 0 ? end : Math.min(end, offset + length), out);
      return 'ip';
    }
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
      if (offset + 4 > end) return 'malformed';
      const type = buf[offset]!;
      const echo = out.protocol === IPPROTO_ICMP ? type === 8 || type === 0 : type === 128 || type === 129;
      if (echo && offset + 6 <= end) {
        // Echo request and reply share the identifier: it pairs them into one flow, as `ping` sees it.
        out.srcPort = (buf[offset + 4]! << 8) | buf[offset + 5]!;
        out.dstPort = out.srcPort;
      }
      return 'ip';
    }
    default:
      return 'ip';
  }
}

function setPayload(start: number, end: number, out: PacketMeta): void {
  out.payloadOffset = start;
  out.payloadLength = end > start ? end - start : 0;
}

/** Text form of the address at `offset` (4 or 16 bytes); allocates, so call it once per new flow. */
export function formatAddress(buf: Uint8Array, offset: number, version: 4 | 6): string {
  if (version === 4) return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((buf[offset + i]! << 8) | buf[offset + i + 1]!).toString(16));
  // Compress the longest run of zero groups (RFC 5952), as Docker and `ip` print addresses.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
