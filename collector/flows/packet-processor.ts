// One packet's way from bytes to events, shared by live capture and offline replay: decode the
// headers, account the flow, and turn DNS responses into `dns.answer` events and names for
// endpoints — only answers to a query the same client sent to a resolver it trusts
// (packets/dns-trust.ts). Counts what it saw; never throws on what a packet contains.
import type { ContainerRef, ShipwatchEvent } from '../events.ts';
import type { Attributor } from './flow-attribution.ts';
import { FlowTable } from './flow-table.ts';
import {
  decodePacket,
  DnsNames,
  DnsQueries,
  dnsQueryKey,
  formatAddress,
  IPPROTO_UDP,
  newPacketMeta,
  parseDnsMessage,
  type PacketMeta,
} from '../packets/index.ts';

export interface PacketCounts {
  packets: number;
  /** IP packets accounted in flows. */
  decoded: number;
  /** Not IP (ARP, LLDP, unknown link types): skipped on purpose. */
  ignored: number;
  malformed: number;
  dnsAnswers: number;
  /** DNS answers not believed: unasked (forged), from a resolver the client does not use, or contested. */
  dnsRejected: number;
}

export interface PacketProcessorOptions {
  host: string;
  maxFlows: number;
  attributor: Attributor;
  emit: (event: ShipwatchEvent) => void;
  /** Network of a packet handled with no network (offline captures): see network-resolver.ts. */
  resolveNetwork?: (meta: PacketMeta, buf: Buffer) => string;
  /**
   * Whether `server` is a resolver the client container is really configured with (its
   * resolv.conf, Docker's embedded DNS upstreams, what its workload learned). Absent (offline
   * replay, no inventory): any server answering a query seen in the capture is believed.
   */
  trustResolver?: (client: ContainerRef, server: string) => boolean;
}

export class PacketProcessor {
  readonly flows: FlowTable;
  readonly names = new DnsNames();
  readonly counts: PacketCounts = { packets: 0, decoded: 0, ignored: 0, malformed: 0, dnsAnswers: 0, dnsRejected: 0 };
  readonly #queries = new DnsQueries();
  readonly #meta = newPacketMeta();
  readonly #o: PacketProcessorOptions;

  constructor(options: PacketProcessorOptions) {
    this.#o = options;
    this.flows = new FlowTable({
      host: options.host,
      maxFlows: options.maxFlows,
      attributor: options.attributor,
      emit: options.emit,
      nameOf: (client, ip, now) => this.names.nameOf(client, ip, now),
    });
  }

  /**
   * Handles the frame in buf[start, start + caplen) captured on `network`'s bridge (null: resolve
   * it) at `at` (epoch ms). `start` lets the file reader pass its window as is (no view per packet).
   */
  handle(network: string | null, buf: Buffer, caplen: number, linkType: number, at: number, start = 0): void {
    this.counts.packets++;
    const meta = this.#meta;
    let status;
    try {
      status = decodePacket(buf, caplen, linkType, meta, start);
    } catch {
      // The decoder bounds-checks every read; this only guards against a bug turning into a crash loop.
      status = 'malformed' as const;
    }
    if (status === 'ignored') {
      this.counts.ignored++;
      return;
    }
    if (status === 'malformed') {
      this.counts.malformed++;
      return;
    }
    this.counts.decoded++;
    network ??= this.#o.resolveNetwork?.(meta, buf) ?? 'pcap';
    if (meta.protocol === IPPROTO_UDP && meta.payloadLength > 12 && (meta.srcPort === 53 || meta.dstPort === 53)) {
      this.#dns(network, buf, at);
    }
    this.flows.observe(network, meta, buf, at);
  }

  #dns(network: string, buf: Buffer, at: number): void {
    const meta = this.#meta;
    const message = parseDnsMessage(buf.subarray(meta.payloadOffset, meta.payloadOffset + meta.payloadLength));
    if (message === 'malformed') {
      this.counts.malformed++;
      return;
    }
    const src = formatAddress(buf, meta.srcOffset, meta.ipVersion);
    const dst = formatAddress(buf, meta.dstOffset, meta.ipVersion);
    if (message.type === 'query') {
      if (meta.dstPort !== 53 || !message.name) return;
      // A query sent with a TTL that cannot leave the host gets no real answer: it only sets up a forged one.
      const ttl = meta.ipVersion === 4 ? buf[meta.srcOffset - 4]! : buf[meta.srcOffset - 1]!;
      if (ttl <= 1) return;
      this.#queries.query(dnsQueryKey(src, meta.srcPort, dst, message.id), message.name, at);
      return;
    }
    if (meta.srcPort !== 53 || !message.name || message.addresses.length === 0) return;
    const client = this.#o.attributor.attribute(network, dst).container;
    const clientKey = client?.id ?? dst;
    const trust = this.#o.trustResolver;
    const verdict = this.#queries.answer(
      dnsQueryKey(dst, meta.dstPort, src, message.id),
      message.name,
      message.addresses,
      at,
    );
    if (verdict.verdict === 'conflict') this.names.forget(clientKey, verdict.withdraw);
    if (verdict.verdict !== 'trusted' || (trust && !(client && trust(client, src)))) {
      this.counts.dnsRejected++;
      return;
    }
    const answer = { name: message.name, addresses: message.addresses };
    this.counts.dnsAnswers++;
    this.names.remember(clientKey, answer, at);
    this.#o.emit({ kind: 'dns.answer', at, host: this.#o.host, network, ...answer, client });
  }
}
