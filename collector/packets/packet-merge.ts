// Puts the packets of several bridge captures back into time order before they reach the flow
// table. Each bridge has its own capture process, and a flow routed between two bridges is seen on
// both: the source's bridge first, the destination's a few microseconds later. The two processes
// hand their packets over independently (each ring block when full or after its timeout), so
// without this the second sighting can be handled first and the flow begins at the wrong end.
//
// Each packet is held until it is `holdMs` old (by its kernel timestamp), then all held packets
// are released oldest first across captures. holdMs must cover the spread between two captures'
// hand-overs: the ring's block timeout plus the pipe. A packet that arrives later than that is
// handled at once (counted as `late`); the hold is bounded in packets as well as in time.

export interface HeldPacket {
  network: string;
  buf: Buffer;
  caplen: number;
  linkType: number;
  /** Kernel timestamp, epoch ms. */
  at: number;
}

export interface PacketMergerOptions {
  holdMs: number;
  /** Most packets held at once; beyond it the oldest go out early. */
  maxHeld: number;
  deliver: (packet: HeldPacket) => void;
}

/** One capture's packets in arrival order (a FIFO with a moving head, compacted now and then). */
class Queue {
  items: HeldPacket[] = [];
  head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  peek(): HeldPacket | undefined {
    return this.items[this.head];
  }

  shift(): HeldPacket {
    const packet = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return packet;
  }
}

export class PacketMerger {
  readonly #o: PacketMergerOptions;
  readonly #queues = new Map<string, Queue>();
  #held = 0;
  #lastReleased = -Infinity;
  /** Packets that arrived after a later packet of another capture had already been handled. */
  late = 0;

  constructor(options: PacketMergerOptions) {
    this.#o = options;
  }

  get held(): number {
    return this.#held;
  }

  /**
   * Holds a packet of capture `source`. The buffer must stay unchanged until it is delivered:
   * captures hand over views into the chunks their pipe delivered, which nothing rewrites.
   */
  push(source: string, packet: HeldPacket): void {
    let queue = this.#queues.get(source);
    if (!queue) this.#queues.set(source, (queue = new Queue()));
    queue.items.push(packet);
    this.#held++;
    if (this.#held > this.#o.maxHeld) this.#releaseOldest();
  }

  /**
   * Delivers, oldest first, every held packet at least holdMs old at `now` — or, when `stop()`
   * (asked every 64 packets) says the caller's turn is over, as many as fit. Returns whether every
   * packet due was delivered: a backlog (the agent behind a flood) is then worked off in turns, and
   * the event loop serves other I/O (/healthz, the API) between them.
   */
  release(now: number, stop: () => boolean = () => false): boolean {
    const cutoff = now - this.#o.holdMs;
    for (let n = 1; ; n++) {
      const queue = this.#oldestQueue();
      if (!queue || queue.peek()!.at > cutoff) return true;
      this.#deliver(queue.shift());
      if (n % 64 === 0 && stop()) return false;
    }
  }

  /** Delivers everything held (at shutdown, or when a capture goes away). */
  flush(): void {
    while (this.#held > 0) this.#releaseOldest();
  }

  /** Forgets a capture's queue once it is empty (its bridge was detached). */
  forget(source: string): void {
    if (this.#queues.get(source)?.size === 0) this.#queues.delete(source);
  }

  #releaseOldest(): void {
    const queue = this.#oldestQueue();
    if (queue) this.#deliver(queue.shift());
  }

  #oldestQueue(): Queue | null {
    let oldest: Queue | null = null;
    for (const queue of this.#queues.values()) {
      const head = queue.peek();
      if (head && (!oldest || head.at < oldest.peek()!.at)) oldest = queue;
    }
    return oldest;
  }

  #deliver(packet: HeldPacket): void {
    this.#held--;
    if (packet.at < this.#lastReleased) this.late++;
    else this.#lastReleased = packet.at;
    this.#o.deliver(packet);
  }
}
