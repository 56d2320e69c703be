// TCP orientation by the handshake, and the two halves of an asymmetric route as one flow.
//
// A flow's source is whoever sent its first packet, unless that packet is a SYN-ACK: then the
// other side began (the SYN went by another way, or before the capture started), and the flow is
// turned round. That matters on a container attached to two networks: a client reaches it on its
// second network's address, the SYN arrives on that bridge, and the SYN-ACK leaves by the
// container's default route, over the *other* bridge. Each bridge sees one direction. Oriented by
// the first packet, the second bridge's half read as the container connecting out to the client's
// ephemeral port: an egress alert for an inbound connection.
//
// So TCP flows that start with a handshake packet are remembered by their oriented 4-tuple, and a
// SYN half on one bridge meets the SYN-ACK half on another as one flow, counted on both bridges
// (each sees only its own direction). The other half comes within a round trip and the two
// captures' hand-over, so a half waits HALF_WINDOW_MS and no longer: 100 000 long-lived flows
// kept one each (a key, an object, a Map entry: ~140 bytes a flow) for their whole lives.
// Docker's MASQUERADE rewrites routed traffic, so a
// container-to-container flow routed between bridges never has the same 4-tuple on both sides;
// that case is routed-flows.ts's.
import { IPPROTO_TCP, TCP_ACK, TCP_SYN, type PacketMeta } from '../packets/index.ts';

/** How long a handshake half waits for its other half: generous beside a SYN's retransmissions (1, 3, 7 s). */
export const HALF_WINDOW_MS = 30_000;

export type Handshake = 'syn' | 'synack';
type AddressText = (buf: Buffer, offset: number, version: 4 | 6) => string;

/** 'syn' for a SYN, 'synack' for a SYN-ACK, null for anything else (not TCP, or mid-connection). */
export function handshakeOf(meta: PacketMeta): Handshake | null {
  if (meta.protocol !== IPPROTO_TCP) return null;
  const flags = meta.tcpFlags & (TCP_SYN | TCP_ACK);
  return flags === TCP_SYN ? 'syn' : flags === (TCP_SYN | TCP_ACK) ? 'synack' : null;
}

/** A new flow's ends: the packet's, or turned round when it is a SYN-ACK; `text` spells an address. */
export function orient(meta: PacketMeta, buf: Buffer, text: AddressText) {
  const handshake = handshakeOf(meta);
  const turned = handshake === 'synack';
  return {
    handshake,
    turned,
    srcIp: text(buf, turned ? meta.dstOffset : meta.srcOffset, meta.ipVersion),
    dstIp: text(buf, turned ? meta.srcOffset : meta.dstOffset, meta.ipVersion),
    srcPort: turned ? meta.dstPort : meta.srcPort,
    dstPort: turned ? meta.srcPort : meta.dstPort,
  };
}

interface Half<T> {
  network: string;
  handshake: Handshake;
  at: number;
  value: T;
}

/** Open handshake halves by oriented 4-tuple (client first), waiting for their other half. */
export class HandshakeHalves<T> {
  /**
   * Oldest first (a Map keeps insertion order; offer re-inserts). No bound of its own: a flow
   * offers one half and forgets it when it leaves the table, so the table's bound holds here too.
   */
  readonly #halves = new Map<string, Half<T>>();

  static key(clientIp: string, clientPort: number, serverIp: string, serverPort: number): string {
    // join, not a template literal: the template builds a rope of cons strings, and each flow's
    // entry keeps its key (about 200 bytes a flow of heap: bench/README.md, the memory line).
    return [clientIp, clientPort, serverIp, serverPort].join(' ');
  }

  /** The other half: the same 4-tuple on another bridge, begun by the other handshake packet. */
  match(key: string | null, network: string, handshake: Handshake | null): T | null {
    if (key === null || handshake === null) return null;
    const half = this.#halves.get(key);
    if (!half || half.network === network || half.handshake === handshake) return null;
    this.#halves.delete(key);
    return half.value;
  }

  /** Remembers a handshake half (nothing for a flow that began otherwise); returns its key. */
  offer(key: string | null, network: string, handshake: Handshake | null, value: T, at: number): string | null {
    if (key === null || handshake === null) return null;
    this.#halves.delete(key);
    this.#halves.set(key, { network, handshake, at, value });
    return key;
  }

  /** Drops the halves older than the window, oldest first; `expired` hears of each one's value. */
  expire(now: number, expired: (value: T) => void): void {
    // Once a second, from the front: the deleted entries a new iterator steps over (see
    // core/bounded-map.ts) are at most the table's size, never walked per insert.
    for (const [key, half] of this.#halves) {
      if (now - half.at < HALF_WINDOW_MS) return;
      this.#halves.delete(key);
      expired(half.value);
    }
  }

  /** The flow left the table: its half can no longer be met. */
  forget(key: string, value: T): void {
    if (this.#halves.get(key)?.value === value) this.#halves.delete(key);
  }
}
