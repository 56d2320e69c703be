// The flow table: bidirectional 5-tuple aggregates per bridge, oriented by the TCP handshake.
// `flow.start` on the first packet (detectors must not wait for a flow to end), `flow.update` when
// a flow becomes established, joins a second bridge, or every `updateIntervalMs` while active, and
// `flow.end` on close, idle timeout or eviction. Timeouts follow Zeek: TCP ends on RST or FIN from
// both sides (5 min idle), UDP/ICMP after 1 min idle. Time comes from packets and `sweep(now)`.
import type { FlowRecord, ShipwatchEvent } from '../events.ts';
import type { Attributed, Attributor } from './flow-attribution.ts';
import { IPPROTO_TCP, TCP_FIN, TCP_RST, TCP_SYN, TCP_ACK, type PacketMeta } from '../packets/index.ts';
import { RoutedFlowMatcher, routedSide } from './routed-flows.ts';
import { HandshakeHalves, orient } from './handshake.ts';
import { DirtyFlows, FlowEntries, FlowEntry, flagLetters, newFlowRecord, protocolName } from './flow-entry.ts';
import { addressKey, FlowKeys, type FlowKey } from './flow-keys.ts';
import { progress } from './flow-progress.ts';
import { AddressTexts } from './address-texts.ts';

export interface FlowTableOptions {
  host: string;
  maxFlows: number;
  attributor: Attributor;
  emit: (event: ShipwatchEvent) => void;
  nameOf?: (asker: string, ip: string, now: number) => string | null; // asker: a container id or an address
  tcpIdleMs?: number;
  udpIdleMs?: number;
  updateIntervalMs?: number;
  /** How long a closed TCP flow keeps absorbing its last ACKs before it leaves the table. */
  closedLingerMs?: number;
}

export class FlowTable {
  readonly #o: Required<Omit<FlowTableOptions, 'nameOf'>> & Pick<FlowTableOptions, 'nameOf'>;
  /** Every key → its entry (a flow seen on two bridges has a key for each). */
  readonly #keys = new FlowKeys<FlowEntry>();
  /** Each flow once, oldest first (insertion order): what sweep, eviction and active() walk. */
  readonly #flows = new FlowEntries();
  readonly #routed = new RoutedFlowMatcher<FlowEntry>();
  readonly #halves = new HandshakeHalves<FlowEntry>();
  readonly #dirty = new DirtyFlows();
  readonly #texts = new AddressTexts();
  evicted = 0;

  constructor(options: FlowTableOptions) {
    this.#o = {
      tcpIdleMs: 5 * 60_000,
      udpIdleMs: 60_000,
      updateIntervalMs: 60_000,
      closedLingerMs: 10_000,
      ...options,
    };
  }

  /** Accounts one decoded packet seen on `network`'s bridge at `at` (epoch ms). */
  observe(network: string, meta: PacketMeta, buf: Buffer, at: number): void {
    const { srcOffset, dstOffset, srcPort, dstPort, protocol } = meta;
    const keys = this.#keys;
    const net = keys.networkId(network);
    const src = addressKey(buf, srcOffset, meta.ipVersion);
    const dst = addressKey(buf, dstOffset, meta.ipVersion);
    const forward = src < dst || (src === dst && srcPort <= dstPort);
    let key: FlowKey | null = null;
    let entry: FlowEntry | undefined;
    if (typeof src === 'number' && typeof dst === 'number') {
      // The hot path: looked up by its words, a key object is only built for a new flow.
      entry = forward
        ? keys.get4(net, protocol, src, srcPort, dst, dstPort)
        : keys.get4(net, protocol, dst, dstPort, src, srcPort);
    } else {
      key = keys.key(net, protocol, src, srcPort, dst, dstPort, forward);
      entry = keys.get(key);
    }
    if (
      entry?.flow.state === 'closed' &&
      protocol === IPPROTO_TCP &&
      (meta.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN
    ) {
      // A fresh SYN on the 5-tuple of a closed flow is a new connection (port reuse).
      this.#remove(entry);
      entry = undefined;
    }
    let fresh = false;
    if (!entry) {
      key ??= keys.key(net, protocol, src, srcPort, dst, dstPort, forward);
      entry = this.#start(key, src, dst, network, meta, buf, at);
      fresh = entry.keys[0] === key;
    }
    this.#account(entry, network, src, meta, buf, at, fresh);
  }

  #start(
    key: FlowKey,
    packetSrc: number | string,
    packetDst: number | string,
    network: string,
    meta: PacketMeta,
    buf: Buffer,
    at: number,
  ): FlowEntry {
    if (this.#keys.size >= this.#o.maxFlows) this.#evictOne(at);
    // A first packet that is a SYN-ACK: the other side began (handshake.ts), so src is the receiver.
    const { handshake, turned, srcIp, dstIp, srcPort, dstPort } = orient(meta, buf, this.#texts.text);
    const halfKey = handshake ? HandshakeHalves.key(srcIp, srcPort, dstIp, dstPort) : null;
    const half = this.#halves.match(halfKey, network, handshake);
    if (half && this.#flows.has(half)) {
      half.countEveryBridge = true; // each bridge sees one direction: count both
      return this.#join(half, key, network, null, at);
    }
    const protocol = protocolName(meta.protocol);
    const { attributor } = this.#o;
    const srcAttr = attributor.attribute(network, srcIp);
    const dstAttr = attributor.attribute(network, dstIp);
    const hasPorts = protocol === 'tcp' || protocol === 'udp';
    const side = turned ? null : routedSide(srcAttr, dstAttr);
    const routedKey = side ? RoutedFlowMatcher.key(meta.protocol, dstIp, dstPort) : '';
    if (side) {
      const other = this.#routed.take(routedKey, side, network, srcPort, at);
      if (other && this.#flows.has(other)) {
        const realSrc =
          side === 'egress' ? this.#endpoint(srcIp, srcPort, hasPorts, srcAttr, at, dstIp, dstAttr) : null;
        return this.#join(other, key, network, realSrc, at);
      }
    }
    const served = dstAttr.kind === 'external' && hasPorts ? attributor.service?.(dstIp, dstPort, protocol) : null;
    const flow = newFlowRecord(
      network,
      protocol,
      this.#endpoint(srcIp, srcPort, hasPorts, srcAttr, at, dstIp, dstAttr),
      this.#endpoint(dstIp, dstPort, hasPorts, served ?? dstAttr, at, srcIp, srcAttr),
      srcPort,
      dstPort,
      at,
    );
    const entry = new FlowEntry(flow, key, turned ? packetDst : packetSrc, srcPort, at);
    this.#keys.set(key, entry);
    this.#flows.add(entry);
    if (side) this.#routed.offer(routedKey, side, network, srcPort, at, entry);
    entry.halfKey = this.#halves.offer(halfKey, network, handshake, entry);
    return entry;
  }

  // A method, not a closure in #start (esbuild keepNames costs each closure a defineProperty, seen
  // in the profile of each flow's start). Named as `peer` resolved it: a DNS name is its asker's.
  #endpoint(ip: string, port: number, ports: boolean, attr: Attributed, at: number, peerIp: string, peer: Attributed) {
    return {
      ip,
      port: ports ? port : null,
      kind: attr.kind,
      container: attr.container,
      name: this.#o.nameOf?.(peer.container?.id ?? peerIp, ip, at) ?? null,
    };
  }

  /** Another bridge's sighting: of a routed flow (the real source kept) or an asymmetric route's half. */
  #join(entry: FlowEntry, key: FlowKey, network: string, realSrc: FlowRecord['src'] | null, at: number) {
    entry.keys.push(key);
    this.#keys.set(key, entry);
    if (!entry.flow.networks.includes(network)) entry.flow.networks.push(network);
    if (realSrc) entry.flow.src = realSrc;
    this.#emit('flow.update', entry, at, realSrc !== null);
    return entry;
  }

  /** Counts the packet; `fresh`: it is the flow's first, so flow.start goes out (with its flags and bytes) before anything else. */
  #account(
    entry: FlowEntry,
    network: string,
    src: number | string,
    meta: PacketMeta,
    buf: Buffer,
    at: number,
    fresh: boolean,
  ): void {
    const flow = entry.flow;
    if (at > flow.lastSeen) flow.lastSeen = at;
    // A routed flow counts on the bridge it was first seen on only; an asymmetric one on both.
    if (network !== flow.network && !entry.countEveryBridge) return;
    const outbound = meta.srcPort === entry.srcPort && src === entry.srcKey;
    if (outbound) {
      flow.packetsOut++;
      flow.bytesOut += meta.wireBytes;
    } else {
      flow.packetsIn++;
      flow.bytesIn += meta.wireBytes;
    }
    entry.pendingBytes += meta.wireBytes;
    entry.pendingPackets++;
    this.#dirty.mark(entry);
    let established = !outbound && flow.state === 'new';
    const progressed = progress(entry, meta, buf, fresh);
    const flags = meta.tcpFlags;
    if (meta.protocol === IPPROTO_TCP && (flags | entry.flagBits) !== entry.flagBits) {
      entry.flagBits |= flags;
      flow.tcpFlags = flagLetters(entry.flagBits);
    }
    if (fresh) this.#emit('flow.start', entry, at);
    if (meta.protocol === IPPROTO_TCP) {
      if (flags & TCP_FIN) entry.finFrom |= outbound ? 1 : 2;
      if (flow.state !== 'closed' && (flags & TCP_RST || entry.finFrom === 3)) {
        flow.state = 'closed';
        entry.closedAt = at;
        this.#emit('flow.end', entry, at);
        established = false;
      }
    }
    if (established) flow.state = 'established';
    if (established || (progressed && flow.state !== 'closed')) this.#emit('flow.update', entry, at);
  }

  /**
   * Ends idle flows, drops lingering closed ones, emits periodic updates. Call about once a second.
   * When `stop()` (asked every 256 flows) says the caller's turn is over, returns false: call again
   * for the rest (a flood's 100 000 flows expiring at once are a few seconds of work).
   */
  sweep(now: number, stop: () => boolean = () => false): boolean {
    const { tcpIdleMs, udpIdleMs, updateIntervalMs, closedLingerMs } = this.#o;
    let seen = 0;
    for (const entry of this.#flows) {
      if (++seen % 256 === 0 && stop()) return false;
      const flow = entry.flow;
      if (flow.state === 'closed') {
        if (now - entry.closedAt >= closedLingerMs) this.#remove(entry);
        continue;
      }
      const idleMs = flow.protocol === 'tcp' ? tcpIdleMs : udpIdleMs;
      if (now - flow.lastSeen >= idleMs) {
        flow.state = 'timeout';
        this.#emit('flow.end', entry, now);
        this.#remove(entry);
      } else if (now - entry.lastUpdate >= updateIntervalMs && flow.lastSeen > entry.lastUpdate) {
        this.#emit('flow.update', entry, now);
      }
    }
    this.#routed.expire(now);
    return true;
  }

  /** Hands each flow's bytes and packets since the last drain to `sink` (metrics), once; false: stopped, call again. */
  drain(sink: (flow: FlowRecord, bytes: number, packets: number) => void, stop?: () => boolean): boolean {
    return this.#dirty.drain(sink, stop);
  }

  /** Flows not yet ended. */
  active(): FlowRecord[] {
    const flows: FlowRecord[] = [];
    for (const entry of this.#flows) if (entry.flow.state !== 'closed') flows.push(entry.flow);
    return flows;
  }

  /** Flows not yet ended, counted by the network they were first seen on (no array of them built). */
  activeByNetwork = (): Map<string, number> => this.#flows.activeByNetwork();

  /** Keys in the table (a routed flow holds one per bridge): what maxFlows bounds. */
  get size(): number {
    return this.#keys.size;
  }

  /** Ends every flow (agent shutdown, end of a replayed file). */
  flush(now: number): void {
    for (const entry of [...this.#flows]) {
      if (entry.flow.state !== 'closed') {
        entry.flow.state = 'timeout';
        this.#emit('flow.end', entry, now);
      }
      this.#remove(entry);
    }
  }

  /**
   * At the bound, one flow must go: the least recently seen of the 32 oldest-inserted ones — an
   * O(1) approximation of LRU that spares long-lived busy flows without a per-packet reorder.
   */
  #evictOne(now: number): void {
    const victim = this.#flows.evictionVictim();
    if (!victim) return;
    this.evicted++;
    if (victim.flow.state !== 'closed') {
      victim.flow.state = 'evicted';
      this.#emit('flow.end', victim, now);
    }
    this.#remove(victim);
  }

  #remove(entry: FlowEntry): void {
    for (const key of entry.keys) this.#keys.delete(key);
    this.#flows.delete(entry);
    if (entry.halfKey) this.#halves.forget(entry.halfKey, entry);
  }

  #emit(kind: 'flow.start' | 'flow.update' | 'flow.end', entry: FlowEntry, at: number, sourceFound = false): void {
    entry.lastUpdate = at;
    entry.bytesAtUpdate = entry.flow.bytesOut + entry.flow.bytesIn;
    // A snapshot: subscribers may keep the record while the table keeps counting.
    const flow = {
      ...entry.flow,
      src: { ...entry.flow.src },
      dst: { ...entry.flow.dst },
      networks: [...entry.flow.networks],
    };
    if (kind === 'flow.update' && sourceFound) this.#o.emit({ kind, at, host: this.#o.host, flow, sourceFound });
    else this.#o.emit({ kind, at, host: this.#o.host, flow });
  }
}
