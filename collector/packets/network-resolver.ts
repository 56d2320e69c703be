// For packets with no bridge to tell their network (an offline capture): the network whose subnet
// holds the source, else the destination, else "pcap". Cached per address, since a capture holds
// few distinct addresses and BlockList wants text.
import { BlockList, isIPv4 } from 'node:net';
import { formatAddress, type PacketMeta } from './packet-decoder.ts';

export const UNKNOWN_NETWORK = 'pcap';
const MAX_CACHE = 65_536;

export class NetworkResolver {
  readonly #subnets: { name: string; block: BlockList }[] = [];
  readonly #cache = new Map<number | string, string | null>();

  /** `subnets`: key → CIDR; the network name is the key up to an optional NUL (several subnets per network). */
  constructor(subnets: Readonly<Record<string, string>>) {
    for (const [key, cidr] of Object.entries(subnets)) {
      const [address, bits] = cidr.split('/');
      const prefix = Number(bits);
      if (!address || !Number.isInteger(prefix)) continue;
      const block = new BlockList();
      try {
        block.addSubnet(address, prefix, isIPv4(address) ? 'ipv4' : 'ipv6');
      } catch {
        continue;
      }
      this.#subnets.push({ name: key.split('\u0000')[0] ?? key, block });
    }
  }

  resolve(meta: PacketMeta, buf: Buffer): string {
    // No subnets (a replay without a daemon or pcap_networks): every packet's answer is the same,
    // and its two cache lookups were 6 % of such a replay.
    if (this.#subnets.length === 0) return UNKNOWN_NETWORK;
    return this.#lookup(meta, buf, meta.srcOffset) ?? this.#lookup(meta, buf, meta.dstOffset) ?? UNKNOWN_NETWORK;
  }

  #lookup(meta: PacketMeta, buf: Buffer, offset: number): string | null {
    // IPv4 as an int32: a small integer to V8, where readUInt32BE's values above 2³¹ would be
    // heap numbers, each a slow Map key (this ran once or twice per replayed packet).
    const key = meta.ipVersion === 4 ? buf.readInt32BE(offset) : buf.toString('hex', offset, offset + 16);
    let network = this.#cache.get(key);
    if (network === undefined) {
      const ip = formatAddress(buf, offset, meta.ipVersion);
      const family = meta.ipVersion === 4 ? 'ipv4' : 'ipv6';
      network = this.#subnets.find((s) => s.block.check(ip, family))?.name ?? null;
      if (this.#cache.size >= MAX_CACHE) this.#cache.clear();
      this.#cache.set(key, network);
    }
    return network;
  }
}
