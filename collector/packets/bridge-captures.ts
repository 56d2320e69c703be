// Live capture on the Docker bridges: one BridgeCapture per bridge interface, attached when a
// network appears and detached when it goes, without restarting anything. With `interfaces:
// auto` the bridges are those of the inventory's bridge networks; with a list, exactly those
// interfaces (attached as soon as they exist). Reports per-interface state to /healthz and
// captured/missed counts to whoever asks; decides nothing about the packets.
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import { BridgeCapture } from './bridge-capture.ts';
import type { PacketDuty } from './packet-duty.ts';
import { interfaceExists } from '../net-interfaces.ts';
import type { Inventory } from '../inventory.ts';

export interface BridgeCapturesOptions {
  interfaces: 'auto' | readonly string[];
  snaplen: number;
  inventory: Inventory;
  health: Health;
  log: Logger;
  /** A packet captured on bridge `iface` of `network`, at its kernel timestamp `at` (epoch ms). */
  onPacket: (iface: string, network: string, buf: Buffer, caplen: number, linkType: number, at: number) => void;
  /** A bridge's capture is running (its first packet may be a while away). */
  onAttached?: (iface: string) => void;
  /** A bridge's capture ended: nothing more will come from `iface` until it is attached again. */
  onDetached?: (iface: string) => void;
  /** Periodic report of packets captured and newly missed, per interface. */
  onCounts: (iface: string, captured: number, dropped: number) => void;
  duty: PacketDuty;
}

/**
 * No BPF filter on purpose: every frame on a bridge is either IP (which we all need) or a trickle
 * of ARP/STP, so a filter would save nothing — and it would make the comparison with the kernel's
 * frame counters (our only view of losses) dishonest, since filtered frames would look missed.
 */
const FILTER = '';

export class BridgeCaptures {
  readonly #o: BridgeCapturesOptions;
  readonly #captures = new Map<string, BridgeCapture>();
  /** Interfaces whose capture ended on its own while the interface still existed: retried, or forgotten once unwanted. */
  readonly #failed = new Set<string>();
  #running = false;
  #stopped = false;

  constructor(options: BridgeCapturesOptions) {
    this.#o = options;
  }

  get attachedCount(): number {
    return this.#captures.size;
  }

  /** Interfaces currently attached. */
  attached(): string[] {
    return [...this.#captures.keys()].sort();
  }

  start(): void {
    this.#running = true;
    this.sync();
  }

  /** Brings the set of captures in line with the bridges that should be captured and exist (once started). */
  sync(): void {
    if (!this.#running || this.#stopped) return;
    const wanted = new Set(this.#wanted().filter(interfaceExists));
    for (const [iface, capture] of this.#captures) {
      if (!wanted.has(iface)) void this.#detach(iface, capture);
    }
    for (const iface of this.#failed) {
      if (wanted.has(iface)) continue;
      // Docker takes a bridge down before it deletes it, so its capture can end while the
      // interface still exists; once the network is gone from the inventory, that was a detach.
      this.#failed.delete(iface);
      this.#o.health.remove(`capture:${iface}`);
      this.#o.log.info({ interface: iface }, 'capture detached: network gone');
    }
    for (const iface of wanted) if (!this.#captures.has(iface)) this.#attach(iface);
  }

  /** Moves captured/missed counts to onCounts; call about once a second. */
  report(): void {
    for (const [iface, capture] of this.#captures) {
      const captured = capture.unreportedPackets;
      capture.unreportedPackets = 0;
      const dropped = capture.newlyDropped();
      if (captured || dropped) this.#o.onCounts(iface, captured, dropped);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#captures].map(([iface, capture]) => this.#detach(iface, capture)));
  }

  /** The network a bridge belongs to, by name (the interface name when the inventory does not know it). */
  networkOf(iface: string): string {
    return this.#o.inventory.networkByBridge(iface)?.name ?? iface;
  }

  #wanted(): string[] {
    if (this.#o.interfaces !== 'auto') return [...this.#o.interfaces];
    const bridges: string[] = [];
    for (const network of this.#o.inventory.networks()) if (network.bridge) bridges.push(network.bridge);
    return bridges;
  }

  #attach(iface: string): void {
    const { health, log, snaplen } = this.#o;
    const source = `capture:${iface}`;
    this.#failed.delete(iface);
    health.set(source, 'starting');
    let network = this.networkOf(iface);
    const capture = new BridgeCapture({
      iface,
      snaplen,
      filter: FILTER,
      duty: this.#o.duty,
      onPacket: (buf, caplen, linkType, at) => this.#o.onPacket(iface, network, buf, caplen, linkType, at),
      onUp: () => {
        network = this.networkOf(iface);
        health.set(source, 'up', `network ${network}`);
        log.info({ interface: iface, network, pid: capture.pid }, 'capture attached');
        this.#o.onAttached?.(iface);
      },
      onExit: (reason) => {
        if (this.#captures.get(iface) !== capture) return;
        this.#captures.delete(iface);
        this.#o.onDetached?.(iface);
        if (interfaceExists(iface) && !this.#stopped) {
          this.#failed.add(iface);
          health.set(source, 'down', reason);
          log.warn({ interface: iface, reason }, 'capture stopped; retrying at the next sync');
        } else {
          // The bridge is gone (network removed): that is a detach, not a failure.
          health.remove(source);
          log.info({ interface: iface, reason }, 'capture detached: interface gone');
        }
      },
    });
    this.#captures.set(iface, capture);
  }

  async #detach(iface: string, capture: BridgeCapture): Promise<void> {
    this.#captures.delete(iface);
    this.#o.health.remove(`capture:${iface}`);
    await capture.detach();
    this.#o.onDetached?.(iface);
    this.#o.log.info({ interface: iface }, 'capture detached');
  }
}
