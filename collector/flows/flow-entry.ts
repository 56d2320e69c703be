// One flow of the table as an object: the record subscribers see, the keys it is found by, and
// its row in flow-rows.ts, where the per-packet counters live.
import type { FlowRecord, Protocol } from '../events.ts';
import type { FlowKey } from './flow-keys.ts';
import type { FlowRows } from './flow-rows.ts';
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
  /** What subscribers see; its counters and lastSeen are the row's as of the last sync (flow-table.ts). */
  readonly flow: FlowRecord;
  /** Its own key when IPv6 (an IPv4 flow's is in its row: no arrays per flow). */
  readonly v6Key: string | null;
  /** Keys of the other bridges it was seen on, if any. */
  otherKeys: FlowKey[] | null = null;
  /** Its row in FlowRows: the per-packet counters and bookkeeping. */
  readonly row: number;
  /** The first sender, as the table keys it (IPv4 as an int32, IPv6 as hex). */
  readonly srcKey: number | string;
  /** Its handshake half's key while the other half may still come (handshake.ts). */
  halfKey: string | null = null;

  constructor(flow: FlowRecord, key: FlowKey, row: number, srcKey: number | string) {
    this.flow = flow;
    this.v6Key = typeof key === 'string' ? key : null;
    this.row = row;
    this.srcKey = srcKey;
  }

  /** A copy of the record: subscribers may keep it while the table keeps counting. */
  snapshot(): FlowRecord {
    const flow = this.flow;
    return { ...flow, src: { ...flow.src }, dst: { ...flow.dst }, networks: [...flow.networks] };
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
  evictionVictim(rows: FlowRows): FlowEntry | null {
    const queue = this.#queue;
    const oldest: FlowEntry[] = [];
    let read = this.#head;
    while (read < queue.length && oldest.length < 32) {
      const entry = queue[read++]!;
      if (this.#set.has(entry)) oldest.push(entry);
    }
    this.#head = read - oldest.length;
    let victim: FlowEntry | null = null;
    let victimSeen = Infinity;
    for (let i = 0; i < oldest.length; i++) {
      const entry = oldest[i]!;
      queue[this.#head + i] = entry;
      const seen = rows.lastSeen(entry.row);
      if (!victim || seen < victimSeen) {
        victim = entry;
        victimSeen = seen;
      }
    }
    return victim;
  }
}
