// A Map that keeps its entries in the order they were last set and reaches the oldest in O(1);
// bounded when given a `max` (past it, the entry set least recently goes), or unbounded
// (Infinity) for a table that evicts by a rule of its own from the oldest few.
//
// Why not `map.delete(map.keys().next().value)`: V8 leaves a deleted entry in its hash table as a
// hole until the next rehash, and a new iterator starts at the table's first slot, so after many
// evictions each `keys().next()` walks over thousands of holes. Measured on Node 20 at 20 000
// entries: ~15 µs per eviction (and ~22 µs when keys are moved to the end with delete + set),
// which made the flow map 40 % of the agent's CPU under a flood of new flows. Here the order of
// insertion is kept in an array of (key, sequence) pairs read from a moving head; a pair whose
// key was set again, or deleted, since is stale and skipped. The array is compacted when stale
// pairs outnumber live entries, so it stays within twice the entries plus one compaction batch.

interface Slot<V> {
  value: V;
  seq: number;
}

export class BoundedMap<K, V> {
  readonly max: number;
  readonly #entries = new Map<K, Slot<V>>();
  #keys: K[] = [];
  #seqs: number[] = [];
  #head = 0;
  #next = 0;

  constructor(max: number) {
    if (!(max >= 1)) throw new RangeError(`BoundedMap needs room for at least one entry, not ${max}`);
    this.max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Sets the value and makes the key the most recently set; evicts the least recent past max. */
  set(key: K, value: V): this {
    const seq = this.#next++;
    this.#entries.set(key, { value, seq });
    this.#keys.push(key);
    this.#seqs.push(seq);
    while (this.#entries.size > this.max) this.#evictOldest();
    if (this.#keys.length > 2 * this.#entries.size + 1024) this.#compact();
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#keys = [];
    this.#seqs = [];
    this.#head = 0;
  }

  /** The least recently set key (undefined when empty). */
  oldest(): K | undefined {
    this.#skipStale();
    return this.#head < this.#keys.length ? this.#keys[this.#head] : undefined;
  }

  /**
   * Entries, least recently set first. Entries may be deleted meanwhile (they are then skipped);
   * entries set meanwhile may or may not be visited.
   */
  *entries(): IterableIterator<[K, V]> {
    this.#skipStale();
    const [keys, seqs] = [this.#keys, this.#seqs];
    for (let i = this.#head; i < keys.length; i++) {
      const key = keys[i] as K;
      const slot = this.#entries.get(key);
      if (slot && slot.seq === seqs[i]) yield [key, slot.value];
    }
  }

  *keys(): IterableIterator<K> {
    this.#skipStale();
    const [keys, seqs] = [this.#keys, this.#seqs];
    for (let i = this.#head; i < keys.length; i++) {
      const key = keys[i] as K;
      if (this.#entries.get(key)?.seq === seqs[i]) yield key;
    }
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  #live(i: number): boolean {
    return this.#entries.get(this.#keys[i] as K)?.seq === this.#seqs[i];
  }

  #skipStale(): void {
    while (this.#head < this.#keys.length && !this.#live(this.#head)) this.#head++;
  }

  #evictOldest(): void {
    this.#skipStale();
    if (this.#head >= this.#keys.length) return;
    this.#entries.delete(this.#keys[this.#head] as K);
    this.#head++;
  }

  #compact(): void {
    const keys: K[] = [];
    const seqs: number[] = [];
    for (let i = this.#head; i < this.#keys.length; i++) {
      if (!this.#live(i)) continue;
      keys.push(this.#keys[i] as K);
      seqs.push(this.#seqs[i] as number);
    }
    this.#keys = keys;
    this.#seqs = seqs;
    this.#head = 0;
  }
}
