// The flow table: bidirectional 5-tuple aggregates per bridge, oriented by the TCP handshake.
// `flow.start` on the first packet (detectors must not wait for a flow to end), `flow.update` when
// a flow becomes established, joins a second bridge, or every `updateIntervalMs` while active, and
// `flow.end` on close, idle timeout or eviction. Timeouts follow Zeek: TCP ends on RST or FIN from
// both sides (5 min idle), UDP/ICMP after 1 min idle. Time comes from packets and `sweep(now)`.
// A packet of a known flow touches its key's slot and its row (flow-rows.ts), not the objects:
// the flow's record is brought up to date from the row when an event or a reader needs it.
import type { FlowRecord } from '../events.ts';
import type { Attributed } from './flow-attribution.ts';
import { withDefaults, type FlowTableOptions, type FlowTableSettings } from './flow-table-options.ts';
import { IPPROTO_TCP, TCP_FIN, TCP_RST, TCP_SYN, TCP_ACK, type PacketMeta } from '../packets/index.ts';
import { RoutedFlowMatcher, routedSide } from './routed-flows.ts';
import { HandshakeHalves, orient } from './handshake.ts';
import { FlowEntries, FlowEntry, flagLetters, newFlowRecord, protocolName } from './flow-entry.ts';
import { FlowRows } from './flow-rows.ts';
import { addressKey, FlowKeys, type FlowKey } from './flow-keys.ts';
import { payloadHead, VOLUME_UPDATE_BYTES } from './flow-progress.ts';
import { AddressTexts } from './address-texts.ts';

export class FlowTable {
  readonly #o: FlowTableSettings;
  /** Every key → its row (a flow seen on two bridges has a key for each). */
  readonly #keys = new FlowKeys();
  readonly #rows = new FlowRows();
  /** Row → its entry. */
  readonly #entries: (FlowEntry | undefined)[] = [];
  /** Each flow once, oldest first (insertion order): what sweep, eviction and active() walk. */
  readonly #flows = new FlowEntries();
  readonly #routed = new RoutedFlowMatcher<FlowEntry>();
  readonly #halves = new HandshakeHalves<FlowEntry>();
  readonly #texts = new AddressTexts();
  evicted = 0;

  constructor(options: FlowTableOptions) {
    this.#o = withDefaults(options);
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
    let row: number;
    if (typeof src === 'number' && typeof dst === 'number') {
      // The hot path: looked up by its words, a key object is only built for a new flow.
      row = forward
        ? keys.get4(net, protocol, src, srcPort, dst, dstPort)
        : keys.get4(net, protocol, dst, dstPort, src, srcPort);
    } else {
      key = keys.key(net, protocol, src, srcPort, dst, dstPort, forward);
      row = keys.get(key);
    }
    if (
      row >= 0 &&
      protocol === IPPROTO_TCP &&
      (meta.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN &&
      this.#rows.isClosed(row)
    ) {
      // A fresh SYN on the 5-tuple of a closed flow is a new connection (port reuse).
      this.#remove(this.#entries[row]!);
      row = -1;
    }
    let fresh = false;
    if (row < 0) {
      key ??= keys.key(net, protocol, src, srcPort, dst, dstPort, forward);
      const entry = this.#start(key, src, dst, network, net, meta, buf, at);
      row = entry.row;
      fresh = entry.otherKeys === null; // #start made it (a sighting on another bridge adds a key)
    }
    const v6Src = typeof src === 'string' ? (this.#entries[row]!.srcKey as string) : '';
    const counted = this.#rows.count(row, net, src, srcPort, v6Src, meta.wireBytes, at);
    this.#account(row, counted, meta, buf, at, fresh);
  }

  #start(
    key: FlowKey,
    packetSrc: number | string,
    packetDst: number | string,
    network: string,
    net: number,
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
      this.#rows.countEveryBridge(half.row); // each bridge sees one direction: count both
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
    const srcKey = turned ? packetDst : packetSrc;
    const row = this.#rows.alloc(at, key, srcKey, srcPort, net, protocol === 'tcp');
    const entry = new FlowEntry(flow, key, row, srcKey);
    this.#entries[row] = entry;
    this.#keys.set(key, row);
    this.#flows.add(entry);
    if (side) this.#routed.offer(routedKey, side, network, srcPort, at, entry);
    entry.halfKey = this.#halves.offer(halfKey, network, handshake, entry, at);
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
    (entry.otherKeys ??= []).push(key);
    this.#keys.set(key, entry.row);
    if (!entry.flow.networks.includes(network)) entry.flow.networks.push(network);
    if (realSrc) entry.flow.src = realSrc;
    this.#emit('flow.update', entry, at, realSrc !== null);
    return entry;
  }

  /**
   * The packet just counted on `row` (`counted`: FlowRows.count's answer); `fresh`: it is the flow's
   * first, so flow.start goes out first. The entry is read only when the record changes or an event goes.
   */
  #account(row: number, counted: -1 | 0 | 1, meta: PacketMeta, buf: Buffer, at: number, fresh: boolean): void {
    if (counted < 0) return;
    const rows = this.#rows;
    const outbound = counted === 1;
    let established = !outbound && rows.isNew(row);
    // Worth an update between start and end (flow-progress.ts): the next volume step, a first payload.
    let progressed = rows.bytesSinceUpdate(row) >= VOLUME_UPDATE_BYTES;
    if (meta.payloadLength > 0 && !rows.payloadSeen(row)) {
      const head = payloadHead(buf, meta);
      if (head !== null) {
        this.#entries[row]!.flow.firstPayload = head;
        rows.setPayloadSeen(row);
        progressed ||= !fresh;
      }
    }
    const flags = meta.tcpFlags;
    const tcp = meta.protocol === IPPROTO_TCP;
    if (tcp && rows.addFlags(row, flags)) this.#entries[row]!.flow.tcpFlags = flagLetters(rows.flagBits(row));
    if (fresh) this.#emit('flow.start', this.#entries[row]!, at);
    if (tcp && flags & (TCP_FIN | TCP_RST)) {
      const bothFins = flags & TCP_FIN ? rows.fin(row, outbound) : false;
      if (!rows.isClosed(row) && (flags & TCP_RST || bothFins)) {
        const entry = this.#entries[row]!;
        entry.flow.state = 'closed';
        rows.closed(row, at);
        this.#emit('flow.end', entry, at);
        established = false;
      }
    }
    if (established) {
      this.#entries[row]!.flow.state = 'established';
      rows.established(row);
    }
    if (established || (progressed && !rows.isClosed(row))) this.#emit('flow.update', this.#entries[row]!, at);
  }

  /**
   * Ends idle flows, drops lingering closed ones, emits periodic updates. Call about once a second.
   * When `stop()` (asked every 256 flows) says the caller's turn is over, returns false: call again
   * for the rest (a flood's 100 000 flows expiring at once are a few seconds of work).
   */
  sweep(now: number, stop: () => boolean = () => false): boolean {
    const { tcpIdleMs, udpIdleMs, updateIntervalMs, closedLingerMs } = this.#o;
    const rows = this.#rows;
    let seen = 0;
    for (const entry of this.#flows) {
      if (++seen % 256 === 0 && stop()) return false;
      const row = entry.row;
      if (rows.isClosed(row)) {
        if (now - rows.closedAt(row) >= closedLingerMs) this.#remove(entry);
        continue;
      }
      const idleMs = rows.isTcp(row) ? tcpIdleMs : udpIdleMs;
      const lastSeen = rows.lastSeen(row);
      const lastUpdate = rows.lastUpdate(row);
      if (now - lastSeen >= idleMs) {
        entry.flow.state = 'timeout';
        this.#emit('flow.end', entry, now);
        this.#remove(entry);
      } else if (now - lastUpdate >= updateIntervalMs && lastSeen > lastUpdate) {
        this.#emit('flow.update', entry, now);
      }
    }
    this.#routed.expire(now);
    this.#halves.expire(now, (entry) => (entry.halfKey = null));
    return true;
  }

  /**
   * Hands each flow's bytes and packets since the last drain to `sink` (metrics), once; false:
   * stopped, call again. The record is for its labels: its counters are as of its last event.
   */
  drain(sink: (flow: FlowRecord, bytes: number, packets: number) => void, stop?: () => boolean): boolean {
    const entries = this.#entries;
    const freed = (row: number) => (entries[row] = undefined);
    return this.#rows.drain((row, bytes, packets) => sink(entries[row]!.flow, bytes, packets), freed, stop);
  }

  /** Flows not yet ended, their records brought up to date. */
  active(): FlowRecord[] {
    const flows: FlowRecord[] = [];
    for (const entry of this.#flows) {
      if (entry.flow.state === 'closed') continue;
      this.#rows.syncInto(entry.row, entry.flow);
      flows.push(entry.flow);
    }
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
    const victim = this.#flows.evictionVictim(this.#rows);
    if (!victim) return;
    this.evicted++;
    if (victim.flow.state !== 'closed') {
      victim.flow.state = 'evicted';
      this.#emit('flow.end', victim, now);
    }
    this.#remove(victim);
  }

  #remove(entry: FlowEntry): void {
    this.#keys.delete(entry.v6Key ?? this.#rows.key(entry.row));
    if (entry.otherKeys) for (const key of entry.otherKeys) this.#keys.delete(key);
    this.#flows.delete(entry);
    if (entry.halfKey) this.#halves.forget(entry.halfKey, entry);
    // Its counts not yet drained keep the row (and this entry, for the metrics' labels) until the drain.
    if (this.#rows.release(entry.row)) this.#entries[entry.row] = undefined;
  }

  #emit(kind: 'flow.start' | 'flow.update' | 'flow.end', entry: FlowEntry, at: number, sourceFound = false): void {
    this.#rows.updated(entry.row, at);
    this.#rows.syncInto(entry.row, entry.flow);
    const flow = entry.snapshot();
    if (kind === 'flow.update' && sourceFound) this.#o.emit({ kind, at, host: this.#o.host, flow, sourceFound });
    else this.#o.emit({ kind, at, host: this.#o.host, flow });
  }
}
