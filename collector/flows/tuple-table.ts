// A hash table keyed on four int32 words (an IPv4 5-tuple and its network, packed), for the flow
// table's per-packet lookup. A Map needs one key value per lookup: a string (built, then hashed:
// the largest cost of the offline path, bench/README.md) or a bigint (allocated). Here the key
// stays in registers: open addressing with linear probing over an Int32Array, the values in a
// parallel array. Deletion shifts the following run back (no tombstones), so a table under
// constant churn never degrades and never needs a rebuild. It grows by doubling at half full and
// never shrinks: the flow table bounds its size (maxFlows), and so the memory.

const INITIAL_CAPACITY = 1024;
const WORDS = 4;

export class TupleTable<T> {
  #capacity: number;
  #mask: number;
  #keys: Int32Array;
  /** undefined marks an empty slot. */
  #values: (T | undefined)[];
  #size = 0;

  /** `capacity`: initial slots, a power of two (small ones make tests collide). */
  constructor(capacity = INITIAL_CAPACITY) {
    if (capacity < 2 || (capacity & (capacity - 1)) !== 0) throw new RangeError('capacity must be a power of two');
    this.#capacity = capacity;
    this.#mask = capacity - 1;
    this.#keys = new Int32Array(capacity * WORDS);
    this.#values = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  get(a: number, b: number, c: number, d: number): T | undefined {
    const slot = this.#find(a, b, c, d);
    return slot < 0 ? undefined : this.#values[slot];
  }

  /** Adds or replaces; `value` must not be undefined. */
  set(a: number, b: number, c: number, d: number, value: T): void {
    const found = this.#find(a, b, c, d);
    if (found >= 0) {
      this.#values[found] = value;
      return;
    }
    if ((this.#size + 1) * 2 > this.#capacity) this.#grow();
    this.#insert(a, b, c, d, value);
    this.#size++;
  }

  delete(a: number, b: number, c: number, d: number): boolean {
    const slot = this.#find(a, b, c, d);
    if (slot < 0) return false;
    this.#shiftBack(slot);
    this.#size--;
    return true;
  }

  /** The slot holding the key, or -1. Terminates: the table is never more than half full. */
  #find(a: number, b: number, c: number, d: number): number {
    const keys = this.#keys;
    const values = this.#values;
    let slot = hash(a, b, c, d) & this.#mask;
    for (;;) {
      if (values[slot] === undefined) return -1;
      const at = slot * WORDS;
      if (keys[at] === a && keys[at + 1] === b && keys[at + 2] === c && keys[at + 3] === d) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Puts a key known to be absent into the first free slot of its run. */
  #insert(a: number, b: number, c: number, d: number, value: T): void {
    let slot = hash(a, b, c, d) & this.#mask;
    while (this.#values[slot] !== undefined) slot = (slot + 1) & this.#mask;
    const at = slot * WORDS;
    this.#keys[at] = a;
    this.#keys[at + 1] = b;
    this.#keys[at + 2] = c;
    this.#keys[at + 3] = d;
    this.#values[slot] = value;
  }

  /**
   * Empties `hole` and pulls back each later entry of the run that may live there: one whose home
   * slot is not cyclically inside (hole, slot]. Every key stays reachable from its home slot.
   */
  #shiftBack(hole: number): void {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let slot = hole;
    for (;;) {
      slot = (slot + 1) & mask;
      const value = values[slot];
      if (value === undefined) break;
      const at = slot * WORDS;
      const home = hash(keys[at]!, keys[at + 1]!, keys[at + 2]!, keys[at + 3]!) & mask;
      if (((slot - home) & mask) < ((slot - hole) & mask)) continue;
      const to = hole * WORDS;
      keys[to] = keys[at]!;
      keys[to + 1] = keys[at + 1]!;
      keys[to + 2] = keys[at + 2]!;
      keys[to + 3] = keys[at + 3]!;
      values[hole] = value;
      hole = slot;
    }
    values[hole] = undefined;
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const old = this.#capacity;
    this.#capacity = old * 2;
    this.#mask = this.#capacity - 1;
    this.#keys = new Int32Array(this.#capacity * WORDS);
    this.#values = new Array<T | undefined>(this.#capacity).fill(undefined);
    for (let slot = 0; slot < old; slot++) {
      const value = values[slot];
      if (value === undefined) continue;
      const at = slot * WORDS;
      this.#insert(keys[at]!, keys[at + 1]!, keys[at + 2]!, keys[at + 3]!, value);
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
