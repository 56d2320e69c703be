// Flow-table keys: the hot path of every packet, so no readable strings and no allocation beyond
// the key itself.
import type { PacketMeta } from './packet-decoder.ts';

export class FlowKeys {
  readonly #networkIds = new Map<string, number>();

  /**
   * The table key: network, protocol and the ordered endpoints. For IPv4 it is packed into eight
   * UTF-16 code units (a flat string V8 hashes quickly) instead of a readable template string,
   * which cost ~40% of the offline path (bench/decode.ts). IPv6 keeps the hex form.
   */
  key(network: string, protocol: number, a: number | string, ap: number, b: number | string, bp: number): string {
    let id = this.#networkIds.get(network);
    if (id === undefined) {
      id = this.#networkIds.size;
      this.#networkIds.set(network, id);
    }
    if (typeof a === 'number' && typeof b === 'number') {
      return String.fromCharCode(id, protocol, a >>> 16, a & 0xffff, ap, b >>> 16, b & 0xffff, bp);
    }
    return `${id}|${protocol}|${a}|${ap}|${b}|${bp}`;
  }
}

/** Whether the packet's source address is `ip` (compared without formatting for IPv4, the hot path). */
export function sourceIs(buf: Buffer, meta: PacketMeta, srcKey: string | number): boolean {
  if (meta.ipVersion === 4) return buf.readUInt32BE(meta.srcOffset) === srcKey;
  return buf.toString('hex', meta.srcOffset, meta.srcOffset + 16) === srcKey;
}
