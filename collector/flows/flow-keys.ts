// Flow-table keys → the flow's row (flow-rows.ts): the hot path of every packet, so no allocation
// for an IPv4 packet of a known flow. IPv4 keys are four int32 words in a TupleTable; IPv6 keys
// (rare on Docker bridges) stay strings in a Map.
import { TupleTable } from './tuple-table.ts';

/** A key as an entry keeps it, to delete it later: IPv4 packed words, or the IPv6 string. */
export type FlowKey = string | readonly [number, number, number, number];

export class FlowKeys {
  readonly #networkIds = new Map<string, number>();
  // Packets come in runs from one bridge: one string compare instead of a Map lookup per packet.
  #lastNetwork: string | null = null;
  #lastId = 0;
  readonly #v4 = new TupleTable();
  readonly #v6 = new Map<string, number>();

  /** A small number per network name, part of every key. */
  networkId(network: string): number {
    if (network === this.#lastNetwork) return this.#lastId;
    let id = this.#networkIds.get(network);
    if (id === undefined) {
      id = this.#networkIds.size;
      this.#networkIds.set(network, id);
    }
    this.#lastNetwork = network;
    this.#lastId = id;
    return id;
  }

  /** IPv4 lookup without building a key: addresses as int32, endpoints already ordered; -1 when absent. */
  get4(net: number, protocol: number, a: number, ap: number, b: number, bp: number): number {
    return this.#v4.get(a, b, (ap << 16) | bp, (net << 8) | protocol);
  }

  /** The key to keep: endpoints in a fixed order (`forward`: source first), so both directions share it. */
  key(
    net: number,
    protocol: number,
    src: number | string,
    srcPort: number,
    dst: number | string,
    dstPort: number,
    forward: boolean,
  ): FlowKey {
    const [a, ap, b, bp] = forward ? [src, srcPort, dst, dstPort] : [dst, dstPort, src, srcPort];
    if (typeof a === 'number' && typeof b === 'number') return [a, b, (ap << 16) | bp, (net << 8) | protocol];
    return `${net}|${protocol}|${a}|${ap}|${b}|${bp}`;
  }

  /** The key's row, or -1. */
  get(key: FlowKey): number {
    return typeof key === 'string' ? (this.#v6.get(key) ?? -1) : this.#v4.get(key[0], key[1], key[2], key[3]);
  }

  set(key: FlowKey, value: number): void {
    if (typeof key === 'string') this.#v6.set(key, value);
    else this.#v4.set(key[0], key[1], key[2], key[3], value);
  }

  delete(key: FlowKey): void {
    if (typeof key === 'string') this.#v6.delete(key);
    else this.#v4.delete(key[0], key[1], key[2], key[3]);
  }

  /** Keys held (a flow seen on two bridges has two). */
  get size(): number {
    return this.#v4.size + this.#v6.size;
  }
}

/**
 * An address as the table keys it: IPv4 as an int32 (a small integer to V8, so no heap number per
 * packet as readUInt32BE's values above 2³¹ would be), IPv6 as hex. Bounds are the decoder's.
 */
export function addressKey(buf: Buffer, offset: number, version: 4 | 6): number | string {
  if (version === 6) return buf.toString('hex', offset, offset + 16);
  return (buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!;
}
