// One row of the flow table: the record subscribers see, plus the bookkeeping they do not.
import type { FlowRecord, Protocol } from '../events.ts';
import type { FlowKey } from './flow-keys.ts';
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
} from '../packets/index.ts';

export class FlowEntry {
  readonly flow: FlowRecord;
  /** Table keys pointing at this entry: its own first, then one per other bridge it was seen on. */
  readonly keys: FlowKey[];
  /** The first sender, as the table keys it (IPv4 as an int32, IPv6 as hex), and its port. */
  readonly srcKey: number | string;
  readonly srcPort: number;
  lastUpdate: number;
  closedAt = 0;
  flagBits = 0;
  /** FIN seen from: 1 = the first sender, 2 = the other side. */
  finFrom = 0;
  pendingBytes = 0;
  pendingPackets = 0;
  /** bytesOut + bytesIn when the last event went out (flow-progress.ts). */
  bytesAtUpdate = 0;
  dirty = false;
  /** Its handshake half's key while the other half may still come (handshake.ts). */
  halfKey: string | null = null;
  /** An asymmetric route: each bridge sees one direction, so packets count on every bridge. */
  countEveryBridge = false;

  constructor(flow: FlowRecord, key: FlowKey, srcKey: number | string, srcPort: number, at: number) {
    this.flow = flow;
    this.keys = [key];
    this.srcKey = srcKey;
    this.srcPort = srcPort;
    this.lastUpdate = at;
  }
}

const PROTOCOLS: Record<number, Protocol> = {
  [IPPROTO_TCP]: 'tcp',
  [IPPROTO_UDP]: 'udp',
  [IPPROTO_ICMP]: 'icmp',
  [IPPROTO_ICMPV6]: 'icmpv6',
};

/** The IP protocol number as FlowRecord.protocol names it. */
export function protocolName(ipProtocol: number): Protocol {
  return PROTOCOLS[ipProtocol] ?? 'other';
}

/**
 * A flow's record at its first packet: no bytes counted yet (the table accounts that packet next).
 * The id takes the packet's raw port fields, also for protocols whose endpoints show no port.
 */
export function newFlowRecord(
  network: string,
  protocol: Protocol,
  src: FlowRecord['src'],
  dst: FlowRecord['dst'],
  srcPort: number,
  dstPort: number,
  at: number,
): FlowRecord {
  return {
    // The same text as a template literal, but join builds one flat string where the template
    // builds a rope of cons strings that the flow keeps (1294 → 1014 bytes retained per flow).
    id: [network, protocol, src.ip, srcPort, dst.ip, dstPort, at].join('|'),
    protocol,
    src,
    dst,
    network,
    networks: [network],
    bytesOut: 0,
    bytesIn: 0,
    packetsOut: 0,
    packetsIn: 0,
    tcpFlags: '',
    state: 'new',
    firstSeen: at,
    lastSeen: at,
  };
}

const LETTERS: [number, string][] = [
  [TCP_SYN, 'S'],
  [TCP_ACK, 'A'],
  [TCP_FIN, 'F'],
  [TCP_RST, 'R'],
  [TCP_PSH, 'P'],
  [TCP_URG, 'U'],
];

function spell(bits: number): string {
  let letters = '';
  for (const [bit, letter] of LETTERS) if (bits & bit) letters += letter;
  return letters;
}

/** Every combination of the six flags, spelled once: a flow's flags change on its first packets. */
const SPELLED = Array.from({ length: 64 }, (_, bits) => spell(bits));

/** TCP flag bits as the letters FlowRecord.tcpFlags uses, in a fixed order (S, A, F, R, P, U). */
export function flagLetters(bits: number): string {
  return SPELLED[bits & 0x3f]!;
}

/**
 * Each flow once, oldest first (insertion order), with the oldest reached in O(1). A plain Set
 * iterates fast, but each new iterator starts at the table's first slot and walks over the holes
 * deleted entries leave there until V8 rehashes (see core/bounded-map.ts): eviction, which looks
 * at the oldest 32 for every new flow at the bound, took ~12 % of the agent's CPU under a flood of
 * new flows. So eviction reads a queue of its own: entries in insertion order from a moving head,
 * those no longer in the set dropped as they are met, compacted when it holds twice the entries.
 */
export class FlowEntries implements Iterable<FlowEntry> {
  readonly #set = new Set<FlowEntry>();
  #queue: FlowEntry[] = [];
  #head = 0;

  has(entry: FlowEntry): boolean {
    return this.#set.has(entry);
  }

  /** Adds a new entry (an entry is added once). */
  add(entry: FlowEntry): void {
    this.#set.add(entry);
    this.#queue.push(entry);
    if (this.#queue.length > 2 * this.#set.size + 1024) {
      this.#queue = this.#queue.slice(this.#head).filter((e) => this.#set.has(e));
      this.#head = 0;
    }
  }

  delete(entry: FlowEntry): void {
    this.#set.delete(entry);
  }

  [Symbol.iterator](): Iterator<FlowEntry> {
    return this.#set.values();
  }

  /** Entries not closed, by their flow's first network (metrics: flows_active). */
  activeByNetwork(): Map<string, number> {
    const counts = new Map<string, number>();
    let network = '';
    let count = 0;
    for (const { flow } of this.#set) {
      if (flow.state === 'closed') continue;
      if (flow.network !== network) {
        if (count) counts.set(network, count);
        network = flow.network;
        count = counts.get(network) ?? 0;
      }
      count++;
    }
    if (count) counts.set(network, count);
    return counts;
  }

  /**
   * The least recently seen of the 32 oldest-inserted flows (see FlowTable's eviction). The stretch
   * of the queue read to find them is rewritten to hold just them, so an entry deleted behind a
   * long-lived one at the front is stepped over once, not at every eviction.
   */
  evictionVictim(): FlowEntry | null {
    const queue = this.#queue;
    const oldest: FlowEntry[] = [];
    let read = this.#head;
    while (read < queue.length && oldest.length < 32) {
      const entry = queue[read++]!;
      if (this.#set.has(entry)) oldest.push(entry);
    }
    this.#head = read - oldest.length;
    let victim: FlowEntry | null = null;
    for (let i = 0; i < oldest.length; i++) {
      const entry = oldest[i]!;
      queue[this.#head + i] = entry;
      if (!victim || entry.flow.lastSeen < victim.flow.lastSeen) victim = entry;
    }
    return victim;
  }
}

/** Entries with counts not yet drained; FlowEntry.dirty marks membership (no Set lookup per packet). */
export class DirtyFlows {
  #entries: FlowEntry[] = [];
  /** Entries before this index were handed out by a drain that was cut short. */
  #drained = 0;

  mark(entry: FlowEntry): void {
    if (entry.dirty) return;
    entry.dirty = true;
    this.#entries.push(entry);
  }

  /**
   * Hands each entry's bytes and packets since the last drain to `sink`, once. When `stop()` (asked
   * every 256 entries) says the caller's turn is over, returns false: call again for the rest.
   */
  drain(sink: (flow: FlowRecord, bytes: number, packets: number) => void, stop: () => boolean = () => false): boolean {
    const entries = this.#entries;
    const start = this.#drained;
    for (let i = start; i < entries.length; i++) {
      if ((i - start) % 256 === 255 && stop()) {
        this.#drained = i;
        return false;
      }
      const entry = entries[i]!;
      sink(entry.flow, entry.pendingBytes, entry.pendingPackets);
      entry.pendingBytes = 0;
      entry.pendingPackets = 0;
      entry.dirty = false;
    }
    this.#entries = [];
    this.#drained = 0;
    return true;
  }
}
