// The flow table's per-packet state, one fixed-size row per flow in one typed array, where every
// packet of a known flow reads and writes it. As objects (the entry, its record, the boxed doubles
// V8 keeps for fields like lastSeen) each packet followed four or five pointers to lines of memory
// its flow last touched long ago: with 100 000 flows whose packets come in random order, each was a
// trip to memory: a packet cost ~400 ns, ~80 when the same flows came in the order they were
// made (bench/flow-order.ts), ~190 with rows. A row is 128 bytes: everything a packet touches in
// its first 64, what the sweep, the events and the metrics drain read in the next. The record (names,
// endpoints, first payload: what subscribers see) stays an object, brought up to date from the row
// when an event or a reader wants it (flow-table.ts). Rows are reused through a free list; a row
// whose counts the metrics have not drained yet is freed by the drain, so no count is lost.
import type { FlowRecord } from '../events.ts';
import type { FlowKey } from './flow-keys.ts';

const ROW_BYTES = 128;
const F64_PER_ROW = ROW_BYTES / 8;
const I32_PER_ROW = ROW_BYTES / 4;
const INITIAL_ROWS = 1024;

// Float64 fields (row * F64_PER_ROW + ...) of the first cache line.
const LAST_SEEN = 0;
const BYTES_OUT = 1;
const BYTES_IN = 2;
const PACKETS_OUT = 3;
const PACKETS_IN = 4;
const BYTES_AT_UPDATE = 5; // bytesOut + bytesIn when the last event went out (flow-progress.ts)
// Int32 fields (row * I32_PER_ROW + ...), the first line's last 16 bytes.
const SRC_KEY = 12; // the first sender's address as the table keys it (IPv4 as an int32; IPv6: see V6)
const SRC_PORT = 13;
const NET = 14; // its first network (FlowKeys.networkId): a routed flow counts on that bridge only
const BITS = 15;
// Float64 fields of the second line.
const BYTES_DRAINED = 8;
const PACKETS_DRAINED = 9;
const LAST_UPDATE = 10;
const CLOSED_AT = 11;
// Int32 fields of the second line: an IPv4 flow's own key (FlowKeys), to remove it by.
const KEY = 24;

// BITS: the TCP flags seen in the low byte, then one bit each.
const FLAGS = 0xff;
const FIN_FIRST = 1 << 8; // a FIN from the first sender
const FIN_OTHER = 1 << 9; // a FIN from the other side
const DIRTY = 1 << 10; // counts not yet drained
const EVERY_BRIDGE = 1 << 11; // an asymmetric route: each bridge sees one direction, count both
const PAYLOAD_SEEN = 1 << 12; // the first payload's head is in the record
const V6 = 1 << 13; // the source key is an IPv6 string, kept by the entry
const TCP = 1 << 14;
const FREE_PENDING = 1 << 15; // left the table while dirty: the drain frees it
const ESTABLISHED = 1 << 16;
const CLOSED = 1 << 17; // the record says 'closed' (a closed TCP flow lingering for its last ACKs)

export class FlowRows {
  #f64: Float64Array;
  #i32: Int32Array;
  #capacity: number;
  /** Rows never handed out start here. */
  #unused = 0;
  readonly #free: number[] = [];
  #dirty: number[] = [];
  /** Dirty rows before this index were handed out by a drain that was cut short. */
  #drained = 0;

  constructor(capacity = INITIAL_ROWS) {
    this.#capacity = capacity;
    const buffer = new ArrayBuffer(capacity * ROW_BYTES);
    this.#f64 = new Float64Array(buffer);
    this.#i32 = new Int32Array(buffer);
  }

  /** Rows there is room for: doubles when full, never shrinks (maxFlows bounds it). */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * A zeroed row for a flow first seen at `at`, found by `key`; `srcKey`: the first sender's
   * address key. Strings (IPv6) are the entry's to keep.
   */
  alloc(at: number, key: FlowKey, srcKey: number | string, srcPort: number, net: number, tcp: boolean): number {
    let row = this.#free.pop();
    if (row === undefined) {
      if (this.#unused === this.#capacity) this.#grow();
      row = this.#unused++;
    }
    const f = row * F64_PER_ROW;
    this.#f64.fill(0, f, f + F64_PER_ROW);
    this.#f64[f + LAST_SEEN] = at;
    this.#f64[f + LAST_UPDATE] = at;
    const i = row * I32_PER_ROW;
    this.#i32[i + SRC_KEY] = typeof srcKey === 'number' ? srcKey : 0;
    this.#i32[i + SRC_PORT] = srcPort;
    this.#i32[i + NET] = net;
    this.#i32[i + BITS] = (typeof srcKey === 'number' ? 0 : V6) | (tcp ? TCP : 0);
    if (typeof key !== 'string') for (let w = 0; w < 4; w++) this.#i32[i + KEY + w] = key[w]!;
    return row;
  }

  /** The IPv4 key the row was made with. */
  key(row: number): FlowKey {
    const i = row * I32_PER_ROW + KEY;
    return [this.#i32[i]!, this.#i32[i + 1]!, this.#i32[i + 2]!, this.#i32[i + 3]!];
  }

  /** The flow left the table: the row is reused once its counts are drained; true: free now. */
  release(row: number): boolean {
    const i = row * I32_PER_ROW + BITS;
    if (this.#i32[i]! & DIRTY) {
      this.#or(i, FREE_PENDING);
      return false;
    }
    this.#free.push(row);
    return true;
  }

  lastSeen(row: number): number {
    return this.#f64[row * F64_PER_ROW + LAST_SEEN]!;
  }

  /**
   * Counts a packet of `bytes` seen at `at` on network `net`, unless the flow counts on its first
   * bridge only and this is another. Returns whether it counted: -1 no, 1 outbound (from the first
   * sender: `src` as the table keys addresses, `srcPort`; `v6Src` when the row says it is IPv6), 0
   * inbound.
   */
  count(
    row: number,
    net: number,
    src: number | string,
    srcPort: number,
    v6Src: string,
    bytes: number,
    at: number,
  ): -1 | 0 | 1 {
    const f64 = this.#f64;
    const i32 = this.#i32;
    const f = row * F64_PER_ROW;
    const i = row * I32_PER_ROW;
    if (at > f64[f + LAST_SEEN]!) f64[f + LAST_SEEN] = at;
    const bits = i32[i + BITS]!;
    if (net !== i32[i + NET] && !(bits & EVERY_BRIDGE)) return -1;
    const outbound = srcPort === i32[i + SRC_PORT] && (bits & V6 ? src === v6Src : src === i32[i + SRC_KEY]);
    if (outbound) {
      f64[f + PACKETS_OUT] = f64[f + PACKETS_OUT]! + 1;
      f64[f + BYTES_OUT] = f64[f + BYTES_OUT]! + bytes;
    } else {
      f64[f + PACKETS_IN] = f64[f + PACKETS_IN]! + 1;
      f64[f + BYTES_IN] = f64[f + BYTES_IN]! + bytes;
    }
    if (!(bits & DIRTY)) {
      i32[i + BITS] = bits | DIRTY;
      this.#dirty.push(row);
    }
    return outbound ? 1 : 0;
  }

  /** Both directions' bytes since the flow's last event. */
  bytesSinceUpdate(row: number): number {
    const f = row * F64_PER_ROW;
    return this.#f64[f + BYTES_OUT]! + this.#f64[f + BYTES_IN]! - this.#f64[f + BYTES_AT_UPDATE]!;
  }

  /** An event goes out at `at`: what the sweep's periodic update and the volume step measure from. */
  updated(row: number, at: number): void {
    const f = row * F64_PER_ROW;
    this.#f64[f + LAST_UPDATE] = at;
    this.#f64[f + BYTES_AT_UPDATE] = this.#f64[f + BYTES_OUT]! + this.#f64[f + BYTES_IN]!;
  }

  lastUpdate(row: number): number {
    return this.#f64[row * F64_PER_ROW + LAST_UPDATE]!;
  }

  /** Adds TCP flags seen; true when one is new (the record's letters change). */
  addFlags(row: number, flags: number): boolean {
    const i = row * I32_PER_ROW + BITS;
    const bits = this.#i32[i]!;
    if (((bits | flags) & FLAGS) === (bits & FLAGS)) return false;
    this.#i32[i] = bits | (flags & FLAGS);
    return true;
  }

  flagBits(row: number): number {
    return this.#i32[row * I32_PER_ROW + BITS]! & FLAGS;
  }

  /** Notes a FIN from the first sender (`outbound`) or the other side; true once both sent one. */
  fin(row: number, outbound: boolean): boolean {
    const i = row * I32_PER_ROW + BITS;
    const bits = this.#i32[i]! | (outbound ? FIN_FIRST : FIN_OTHER);
    this.#i32[i] = bits;
    return (bits & (FIN_FIRST | FIN_OTHER)) === (FIN_FIRST | FIN_OTHER);
  }

  payloadSeen(row: number): boolean {
    return (this.#i32[row * I32_PER_ROW + BITS]! & PAYLOAD_SEEN) !== 0;
  }

  setPayloadSeen(row: number): void {
    this.#or(row * I32_PER_ROW + BITS, PAYLOAD_SEEN);
  }

  countEveryBridge(row: number): void {
    this.#or(row * I32_PER_ROW + BITS, EVERY_BRIDGE);
  }

  isTcp(row: number): boolean {
    return (this.#i32[row * I32_PER_ROW + BITS]! & TCP) !== 0;
  }

  /** Neither established nor closed yet: its first reply makes it established. */
  isNew(row: number): boolean {
    return (this.#i32[row * I32_PER_ROW + BITS]! & (ESTABLISHED | CLOSED)) === 0;
  }

  isClosed(row: number): boolean {
    return (this.#i32[row * I32_PER_ROW + BITS]! & CLOSED) !== 0;
  }

  established(row: number): void {
    this.#or(row * I32_PER_ROW + BITS, ESTABLISHED);
  }

  closed(row: number, at: number): void {
    this.#or(row * I32_PER_ROW + BITS, CLOSED);
    this.#f64[row * F64_PER_ROW + CLOSED_AT] = at;
  }

  closedAt(row: number): number {
    return this.#f64[row * F64_PER_ROW + CLOSED_AT]!;
  }

  /** Writes the row's counters and last sighting into the flow's record. */
  syncInto(row: number, flow: FlowRecord): void {
    const f64 = this.#f64;
    const f = row * F64_PER_ROW;
    flow.lastSeen = f64[f + LAST_SEEN]!;
    flow.bytesOut = small(f64[f + BYTES_OUT]!);
    flow.bytesIn = small(f64[f + BYTES_IN]!);
    flow.packetsOut = small(f64[f + PACKETS_OUT]!);
    flow.packetsIn = small(f64[f + PACKETS_IN]!);
  }

  /**
   * Hands each row's bytes and packets counted since its last drain to `sink`, once, and frees the
   * rows that left the table meanwhile (`freed` is told). When `stop()` (asked every 256 rows) says
   * the caller's turn is over, returns false: call again for the rest.
   */
  drain(
    sink: (row: number, bytes: number, packets: number) => void,
    freed: (row: number) => void,
    stop: () => boolean = () => false,
  ): boolean {
    const f64 = this.#f64;
    const i32 = this.#i32;
    const dirty = this.#dirty;
    const start = this.#drained;
    for (let n = start; n < dirty.length; n++) {
      if ((n - start) % 256 === 255 && stop()) {
        this.#drained = n;
        return false;
      }
      const row = dirty[n]!;
      const f = row * F64_PER_ROW;
      const bytes = f64[f + BYTES_OUT]! + f64[f + BYTES_IN]!;
      const packets = f64[f + PACKETS_OUT]! + f64[f + PACKETS_IN]!;
      sink(row, bytes - f64[f + BYTES_DRAINED]!, packets - f64[f + PACKETS_DRAINED]!);
      f64[f + BYTES_DRAINED] = bytes;
      f64[f + PACKETS_DRAINED] = packets;
      const i = row * I32_PER_ROW + BITS;
      const bits = i32[i]!;
      i32[i] = bits & ~(DIRTY | FREE_PENDING);
      if (bits & FREE_PENDING) {
        freed(row);
        this.#free.push(row);
      }
    }
    this.#dirty = [];
    this.#drained = 0;
    return true;
  }

  /** Sets bits of a row's BITS word (`at`: its index in the Int32Array). */
  #or(at: number, bits: number): void {
    this.#i32[at] = this.#i32[at]! | bits;
  }

  #grow(): void {
    this.#capacity *= 2;
    const buffer = new ArrayBuffer(this.#capacity * ROW_BYTES);
    const f64 = new Float64Array(buffer);
    f64.set(this.#f64);
    this.#f64 = f64;
    this.#i32 = new Int32Array(buffer);
  }
}

/** A count as an int32 when it is one: a record field that once held a double is boxed in every record. */
function small(count: number): number {
  return count <= 0x7fffffff ? count | 0 : count;
}
