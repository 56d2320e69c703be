// Live packets from every captured bridge, handed on one at a time in an order the flow table can
// trust. With one bridge attached a packet goes straight on; with several, packets are held in the
// merge (see packet-merge.ts) and released in kernel-timestamp order by a timer that runs only
// while something is held, so an idle host costs no wake-ups. The decision and its timer live here,
// beside the merge, so a packet never leaves the collector before it is an event.
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import type { Inventory } from '../inventory.ts';
import { BridgeCaptures } from './bridge-captures.ts';
import { PacketMerger } from './packet-merge.ts';
import { PacketDuty } from './packet-duty.ts';

/**
 * How long packets wait to be put back in time order across bridges: the capture child's ring
 * block timeout (20 ms) plus the pipe, with room for a busy moment.
 */
const MERGE_HOLD_MS = 50;
/**
 * At most this many packets held (~15 MiB): 160 ms at 300 000 packets/s, three times the hold.
 * Past it the oldest go on as new ones arrive, so a flood the agent cannot keep up with is paced
 * by the reading of the capture pipes (and what the children cannot pass on is counted as
 * dropped), not stored here: with 200 000 the agent sat on 40 s of packets under a flood of new
 * flows, and released them in one go.
 */
const MERGE_MAX_HELD = 50_000;
const MERGE_EVERY_MS = 10;
/** Most time one release turn may take before the event loop serves other I/O (/healthz: 100 ms). */
const RELEASE_TURN_MS = 10;
/** Docker events trigger a sync at once; this catches what an event could not (a failed attach). */
const SYNC_MS = 5000;

/** A frame captured on the bridge of `network`, at its kernel timestamp `at` (epoch ms). */
export type DeliverPacket = (network: string, buf: Buffer, caplen: number, linkType: number, at: number) => void;

export interface LivePacketsOptions {
  interfaces: 'auto' | readonly string[];
  snaplen: number;
  inventory: Inventory;
  health: Health;
  log: Logger;
  deliver: DeliverPacket;
  /** A bridge's capture is running (its first packet may be a while away). */
  onAttached?: (iface: string) => void;
  /** Packets captured and newly dropped by the kernel, per interface, about once a second. */
  onCounts?: (iface: string, captured: number, dropped: number) => void;
  now?: () => number;
}

export class LivePackets {
  readonly captures: BridgeCaptures;
  readonly #merger: PacketMerger;
  readonly #duty = new PacketDuty();
  readonly #now: () => number;
  #releaseTimer: NodeJS.Timeout | null = null;
  #syncTimer: NodeJS.Timeout | null = null;

  constructor(o: LivePacketsOptions) {
    this.#now = o.now ?? Date.now;
    this.#merger = new PacketMerger({
      holdMs: MERGE_HOLD_MS,
      maxHeld: MERGE_MAX_HELD,
      deliver: (p) => o.deliver(p.network, p.buf, p.caplen, p.linkType, p.at),
    });
    const captures: BridgeCaptures = new BridgeCaptures({
      interfaces: o.interfaces,
      snaplen: o.snaplen,
      inventory: o.inventory,
      health: o.health,
      log: o.log,
      onPacket: (iface, network, buf, caplen, linkType, at) => {
        // One bridge has nothing to be ordered against: no need to hold its packets.
        if (this.#merger.held === 0 && captures.attachedCount <= 1) o.deliver(network, buf, caplen, linkType, at);
        else {
          this.#merger.push(iface, { network, buf, caplen, linkType, at });
          this.#scheduleRelease();
        }
      },
      onAttached: o.onAttached,
      onDetached: (iface) => this.#merger.forget(iface),
      onCounts: (iface, captured, dropped) => o.onCounts?.(iface, captured, dropped),
      duty: this.#duty,
    });
    this.captures = captures;
  }

  /** Packets that reached the merge after their turn had passed (handled at once, out of order). */
  get latePackets(): number {
    return this.#merger.late;
  }

  start(): void {
    this.captures.start();
    this.#syncTimer = setInterval(() => this.captures.sync(), SYNC_MS).unref();
  }

  /** Attaches and detaches captures to follow the inventory's bridges (call on network events). */
  sync(): void {
    this.captures.sync();
  }

  /** Moves captured and dropped counts to onCounts; call about once a second. */
  report(): void {
    this.captures.report();
  }

  /** Stops every capture and hands on what the merge still holds. */
  async stop(): Promise<void> {
    if (this.#syncTimer) clearInterval(this.#syncTimer);
    if (this.#releaseTimer) clearTimeout(this.#releaseTimer);
    this.#releaseTimer = null;
    await this.captures.stop();
    this.#merger.flush();
  }

  #scheduleRelease(delay = MERGE_EVERY_MS): void {
    if (this.#releaseTimer) return;
    this.#releaseTimer = setTimeout(() => {
      this.#releaseTimer = null;
      if (this.#duty.left() <= 0) return this.#scheduleRelease(this.#duty.untilNext());
      const caughtUp = this.#duty.run(RELEASE_TURN_MS, (stop) => this.#merger.release(this.#now(), stop));
      // Behind: the next turn as soon as pending I/O has had its go.
      if (!caughtUp) this.#scheduleRelease(0);
      else if (this.#merger.held > 0) this.#scheduleRelease();
    }, delay).unref();
  }
}
