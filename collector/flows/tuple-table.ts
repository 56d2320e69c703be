// A hash table from four int32 words (an IPv4 5-tuple and its network, packed) to a non-negative
// int32 (the flow's row in flow-rows.ts), for the flow table's per-packet lookup. A Map needs one
// key value per lookup: a string (built, then hashed: the largest cost of the offline path,
// bench/README.md) or a bigint (allocated). Here the key stays in registers: open addressing with
// linear probing over one Int32Array, each slot 32 bytes holding its key, its value and its hash,
// so a lookup that hits its home slot reads one cache line (packets of 100 000 flows in random
// order miss the cache on every flow's first touch: each dependent load is a trip to memory).
// Deletion shifts the following run back (no tombstones), so a table under constant churn never
// degrades and never needs a rebuild. It grows by doubling at half full and never shrinks: the
// flow table bounds its size (maxFlows), and so the memory.

const INITIAL_CAPACITY = 1024;
/** Words a slot: the key's four, the value + 1 (0: empty), the key's hash, two unused (alignment). */
const STRIDE = 8;
const VALUE = 4;
const HASH = 5;

export class TupleTable {
  #capacity: number;
  #mask: number;
  #slots: Int32Array;
  #size = 0;

  /** `capacity`: initial slots, a power of two (small ones make tests collide). */
  constructor(capacity = INITIAL_CAPACITY) {
    if (capacity < 2 || (capacity & (capacity - 1)) !== 0) throw new RangeError('capacity must be a power of two');
    this.#capacity = capacity;
    this.#mask = capacity - 1;
    this.#slots = new Int32Array(capacity * STRIDE);
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** The key's value, or -1. */
  get(a: number, b: number, c: number, d: number): number {
    const at = this.#find(a, b, c, d, hash(a, b, c, d));
    return at < 0 ? -1 : this.#slots[at + VALUE]! - 1;
  }

  /** Adds or replaces; `value` is a non-negative int32 below 2³¹ − 1. */
  set(a: number, b: number, c: number, d: number, value: number): void {
    if (!(value >= 0 && value < 0x7fffffff && Number.isInteger(value))) throw new RangeError(`bad value ${value}`);
    const h = hash(a, b, c, d);
    const found = this.#find(a, b, c, d, h);
    if (found >= 0) {
      this.#slots[found + VALUE] = value + 1;
      return;
    }
    if ((this.#size + 1) * 2 > this.#capacity) this.#grow();
    this.#insert(a, b, c, d, h, value + 1);
    this.#size++;
  }

  delete(a: number, b: number, c: number, d: number): boolean {
    const at = this.#find(a, b, c, d, hash(a, b, c, d));
    if (at < 0) return false;
    this.#shiftBack(at / STRIDE);
    this.#size--;
    return true;
  }

  /** The index in #slots of the key's slot, or -1. Terminates: the table is never more than half full. */
  #find(a: number, b: number, c: number, d: number, h: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = h & mask;
    for (;;) {
      const at = slot * STRIDE;
      if (slots[at + VALUE] === 0) return -1;
      if (slots[at] === a && slots[at + 1] === b && slots[at + 2] === c && slots[at + 3] === d) return at;
      slot = (slot + 1) & mask;
    }
  }

  /** Puts a key known to be absent into the first free slot of its run; `stored`: value + 1. */
  #insert(a: number, b: number, c: number, d: number, h: number, stored: number): void {
    const slots = this.#slots;
    let slot = h & this.#mask;
    while (slots[slot * STRIDE + VALUE] !== 0) slot = (slot + 1) & this.#mask;
    const at = slot * STRIDE;
    slots[at] = a;
    slots[at + 1] = b;
    slots[at + 2] = c;
    slots[at + 3] = d;
    slots[at + VALUE] = stored;
    slots[at + HASH] = h;
  }

  /**
   * Empties `hole` and pulls back each later entry of the run that may live there: one whose home
   * slot is not cyclically inside (hole, slot]. Every key stays reachable from its home slot.
   */
  #shiftBack(hole: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = hole;
    for (;;) {
      slot = (slot + 1) & mask;
      const at = slot * STRIDE;
      if (slots[at + VALUE] === 0) break;
      const home = slots[at + HASH]! & mask;
      if (((slot - home) & mask) < ((slot - hole) & mask)) continue;
      slots.copyWithin(hole * STRIDE, at, at + STRIDE);
      hole = slot;
    }
    slots[hole * STRIDE + VALUE] = 0;
  }

  #grow(): void {
    const old = this.#slots;
    const oldCapacity = this.#capacity;
    this.#capacity = oldCapacity * 2;
    this.#mask = this.#capacity - 1;
    this.#slots = new Int32Array(this.#capacity * STRIDE);
    for (let slot = 0; slot < oldCapacity; slot++) {
      const at = slot * STRIDE;
      const stored = old[at + VALUE]!;
      if (stored === 0) continue;
      this.#insert(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!, old[at + HASH]!, stored);
    }
  }
}

/**
 * Mixes all four words (murmur3's multiply-rotate and finaliser): addresses in a Docker subnet
 * differ only in their low bits and ephemeral ports are sequential, so a weak hash would pile
 * flows into a few long runs.
 */
export function hash(a: number, b: number, c: number, d: number): number {
  let h = 0x9747b28c;
  h = mix(h, a);
  h = mix(h, b);
  h = mix(h, c);
  h = mix(h, d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
