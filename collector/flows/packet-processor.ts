// One packet's way from bytes to events, shared by live capture and offline replay: decode the
// headers, account the flow, and turn DNS responses into `dns.answer` events and names for
// endpoints. Counts what it saw; never throws on what a packet contains.
import type { ShipwatchEvent } from '../events.ts';
import type { Attributor } from './flow-attribution.ts';
import { FlowTable } from './flow-table.ts';
import {
  decodePacket,
  DnsNames,
  formatAddress,
  IPPROTO_UDP,
  newPacketMeta,
  parseDnsResponse,
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
}

export interface PacketProcessorOptions {
  host: string;
  maxFlows: number;
  attributor: Attributor;
  emit: (event: ShipwatchEvent) => void;
  /** Network of a packet handled with no network (offline captures): see network-resolver.ts. */
  resolveNetwork?: (meta: PacketMeta, buf: Buffer) => string;
}

export class PacketProcessor {
  readonly flows: FlowTable;
  readonly names = new DnsNames();
  readonly counts: PacketCounts = { packets: 0, decoded: 0, ignored: 0, malformed: 0, dnsAnswers: 0 };
  readonly #meta = newPacketMeta();
  readonly #o: PacketProcessorOptions;

  constructor(options: PacketProcessorOptions) {
    this.#o = options;
    this.flows = new FlowTable({
      host: options.host,
      maxFlows: options.maxFlows,
      attributor: options.attributor,
      emit: options.emit,
      nameOf: (ip, now) => this.names.nameOf(ip, now),
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
    if (meta.protocol === IPPROTO_UDP && meta.srcPort === 53 && meta.payloadLength > 12) this.#dns(network, buf, at);
    this.flows.observe(network, meta, buf, at);
  }

  #dns(network: string, buf: Buffer, at: number): void {
    const meta = this.#meta;
    const payload = buf.subarray(meta.payloadOffset, meta.payloadOffset + meta.payloadLength);
    const answer = parseDnsResponse(payload);
    if (answer === 'malformed') {
      this.counts.malformed++;
      return;
    }
    if (!answer) return;
    this.counts.dnsAnswers++;
    this.names.remember(answer, at);
    const clientIp = formatAddress(buf, meta.dstOffset, meta.ipVersion);
    const client = this.#o.attributor.attribute(network, clientIp).container;
    this.#o.emit({ kind: 'dns.answer', at, host: this.#o.host, network, ...answer, client });
  }
}
