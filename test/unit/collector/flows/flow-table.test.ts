import { beforeEach, describe, expect, it } from 'vitest';
import type { ContainerRef, ShipwatchEvent } from '../../../../collector/events.ts';
import type { Attributed, Attributor } from '../../../../collector/flows/flow-attribution.ts';
import { FlowTable } from '../../../../collector/flows/flow-table.ts';
import { HALF_WINDOW_MS } from '../../../../collector/flows/handshake.ts';
import { decodePacket, LINKTYPE_ETHERNET, newPacketMeta } from '../../../../collector/packets/packet-decoder.ts';
import { ipv4Frame, ipv6Frame, type FrameSpec } from '../../../support/packet-builder.ts';

const ref = (name: string, workload: string): ContainerRef => ({ id: `id-${name}`, name, image: workload, workload });
const API = ref('api', 'shop/api');
const DB = ref('db', 'shop/db');

/** net-a: 198.18.1.0/24 (api .2, gateway .1); net-b: 198.18.2.0/24 (db .3, gateway .1). */
const attributor: Attributor = {
  attribute(network, ip): Attributed {
    const [, , third, last] = ip.split('.').map(Number);
    const home = third === 1 ? 'net-a' : third === 2 ? 'net-b' : null;
    if (!ip.startsWith('198.18.') || !home) return { kind: 'external', container: null, local: false };
    if (last === 1)
      return home === network
        ? { kind: 'host', container: null, local: true }
        : { kind: 'external', container: null, local: false };
    return { kind: 'container', container: third === 1 ? API : DB, local: home === network };
  },
};

describe('FlowTable', () => {
  let events: ShipwatchEvent[];
  let table: FlowTable;
  const meta = newPacketMeta();
  const send = (network: string, spec: FrameSpec, at: number) => {
    const frame = ipv4Frame(spec);
    expect(decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta)).toBe('ip');
    table.observe(network, meta, frame, at);
    return frame.length;
  };
  const kinds = () => events.map((e) => e.kind);
  const flowOf = (e: ShipwatchEvent | undefined) => (e && 'flow' in e ? e.flow : undefined);

  beforeEach(() => {
    events = [];
    table = new FlowTable({ host: 'h', maxFlows: 100, attributor, emit: (e) => events.push(e) });
  });

  it("names a destination no local address names by the fleet's published ports (tcp and udp apart)", () => {
    const pay: ContainerRef = { ...ref('pay-1', 'shop/pay'), host: 'host-b', zone: 'payments' };
    table = new FlowTable({
      host: 'h',
      maxFlows: 100,
      attributor: {
        ...attributor,
        service: (ip, port, protocol) =>
          ip === '203.0.113.80' && port === 8443 && protocol === 'tcp'
            ? { kind: 'container', container: pay, local: false }
            : null,
      },
      emit: (e) => events.push(e),
    });
    const to = (protocol: 'tcp' | 'udp', dstPort: number, srcPort: number) =>
      send('net-a', { src: '198.18.1.2', dst: '203.0.113.80', protocol, srcPort, dstPort, flags: 'S' }, 1000);
    to('tcp', 8443, 41000);
    to('udp', 8443, 41001);
    to('tcp', 8444, 41002);
    const dsts = events.map((e) => flowOf(e)!.dst);
    expect(dsts[0]).toMatchObject({ ip: '203.0.113.80', port: 8443, kind: 'container', container: pay });
    expect(dsts.slice(1).map((d) => d.kind)).toEqual(['external', 'external']);
  });

  it('emits flow.start on the first packet, attributed on both ends', () => {
    send(
      'net-a',
      { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp', srcPort: 41000, dstPort: 4444, flags: 'S' },
      1000,
    );
    expect(kinds()).toEqual(['flow.start']);
    const flow = flowOf(events[0])!;
    expect(flow.src).toMatchObject({ ip: '198.18.1.2', port: 41000, kind: 'container', container: API });
    expect(flow.dst).toMatchObject({ ip: '203.0.113.10', port: 4444, kind: 'external', container: null });
    expect(flow).toMatchObject({
      protocol: 'tcp',
      state: 'new',
      network: 'net-a',
      networks: ['net-a'],
      firstSeen: 1000,
    });
  });

  it('counts both directions of a TCP connection and ends it when both sides sent FIN', () => {
    const tuple = { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp' as const, srcPort: 41000, dstPort: 4444 };
    const back = { src: '203.0.113.10', dst: '198.18.1.2', protocol: 'tcp' as const, srcPort: 4444, dstPort: 41000 };
    const out1 = send('net-a', { ...tuple, flags: 'S' }, 1000);
    const in1 = send('net-a', { ...back, flags: 'SA' }, 1001);
    send('net-a', { ...tuple, flags: 'A' }, 1002);
    send('net-a', { ...tuple, flags: 'FA' }, 1003);
    send('net-a', { ...back, flags: 'FA' }, 1004);
    expect(kinds()).toEqual(['flow.start', 'flow.update', 'flow.end']);
    const end = flowOf(events[2])!;
    expect(end).toMatchObject({ state: 'closed', packetsOut: 3, packetsIn: 2, tcpFlags: 'SAF', lastSeen: 1004 });
    expect(end.bytesOut).toBe(out1 * 3);
    expect(end.bytesIn).toBe(in1 * 2);
    // The last ACK is absorbed by the closed flow rather than starting a new one.
    send('net-a', { ...tuple, flags: 'A' }, 1005);
    expect(kinds()).toHaveLength(3);
  });

  it('ends a flow on RST at once', () => {
    send('net-a', { src: '198.18.1.2', dst: '198.18.1.9', protocol: 'tcp', flags: 'S' }, 0);
    send(
      'net-a',
      { src: '198.18.1.9', dst: '198.18.1.2', protocol: 'tcp', srcPort: 80, dstPort: 40000, flags: 'RA' },
      1,
    );
    expect(flowOf(events.at(-1))?.state).toBe('closed');
    expect(table.active()).toHaveLength(0);
  });

  it('times out UDP after a minute idle and TCP after five', () => {
    send('net-a', { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp', dstPort: 9999 }, 0);
    send('net-a', { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp', dstPort: 80, flags: 'S' }, 0);
    table.sweep(59_999);
    expect(table.active()).toHaveLength(2);
    table.sweep(60_000);
    expect(table.active().map((f) => f.protocol)).toEqual(['tcp']);
    table.sweep(300_000);
    expect(table.active()).toHaveLength(0);
    expect(events.filter((e) => e.kind === 'flow.end').map((e) => flowOf(e)?.state)).toEqual(['timeout', 'timeout']);
  });

  it('sends periodic updates for a long flow that keeps talking', () => {
    for (let t = 0; t <= 130_000; t += 10_000) {
      send('net-a', { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp', dstPort: 9999 }, t);
      table.sweep(t);
    }
    expect(kinds().filter((k) => k === 'flow.update')).toHaveLength(2);
  });

  it('evicts at the bound, counts it and ends the victim as evicted', () => {
    table = new FlowTable({ host: 'h', maxFlows: 100, attributor, emit: (e) => events.push(e) });
    for (let port = 1; port <= 101; port++)
      send('net-a', { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp', srcPort: port }, port);
    expect(table.size).toBe(100);
    expect(table.evicted).toBe(1);
    const ended = events.find((e) => e.kind === 'flow.end');
    expect(flowOf(ended)).toMatchObject({ state: 'evicted', src: { port: 1 } });
  });

  it('forgets evicted flows: the bound holds, every eviction is counted, a returning flow starts anew', () => {
    table = new FlowTable({ host: 'h', maxFlows: 100, attributor, emit: (e) => events.push(e) });
    const udp = (port: number) => ({ src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp' as const, srcPort: port });
    for (let port = 1; port <= 1000; port++) send('net-a', udp(port), port);
    expect(table.size).toBe(100);
    expect(table.evicted).toBe(900);
    expect(events.filter((e) => e.kind === 'flow.end')).toHaveLength(900);
    send('net-a', udp(1), 2000);
    expect(kinds().filter((k) => k === 'flow.start')).toHaveLength(1001);
    expect(table.size).toBe(100);
  });

  it('holds the bound under a flood of new flows and spares the oldest flow while it stays busy', () => {
    // Each eviction looks at the oldest few (flow-entry.ts): the busy one among them is never the victim.
    table = new FlowTable({ host: 'h', maxFlows: 10_000, attributor, emit: () => undefined });
    const frames = Array.from({ length: 100_000 }, (_, i) =>
      ipv4Frame({
        src: `203.0.113.${1 + (i % 200)}`,
        dst: '198.18.1.2',
        protocol: 'udp',
        srcPort: 1024 + Math.floor(i / 200),
      }),
    );
    const observe = (frame: Buffer, at: number) => {
      decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta);
      table.observe('net-a', meta, frame, at);
    };
    frames.forEach((frame, i) => {
      observe(frame, i);
      if (i % 100 === 0) observe(frames[0]!, i);
    });
    expect(table.size).toBe(10_000);
    expect(table.evicted).toBe(90_000);
    expect(table.active().some((f) => f.src.ip === '203.0.113.1' && f.src.port === 1024)).toBe(true);
  }, 20_000);

  it('keeps the same 5-tuple on two bridges apart when it is not a routed flow', () => {
    const tuple = { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp' as const, srcPort: 41000 };
    send('net-a', tuple, 0);
    send('net-c', tuple, 0);
    send('net-a', tuple, 1);
    expect(table.active().map((f) => [f.network, f.packetsOut])).toEqual([
      ['net-a', 2],
      ['net-c', 1],
    ]);
  });

  it('turns a flow round when its first packet is a SYN-ACK: the other side began', () => {
    send(
      'net-a',
      { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp', srcPort: 8080, dstPort: 38710, flags: 'SA' },
      1000,
    );
    send(
      'net-a',
      { src: '203.0.113.10', dst: '198.18.1.2', protocol: 'tcp', srcPort: 38710, dstPort: 8080, flags: 'A' },
      1001,
    );
    const [flow] = table.active();
    expect(flow?.src).toMatchObject({ ip: '203.0.113.10', port: 38710, kind: 'external' });
    expect(flow?.dst).toMatchObject({ ip: '198.18.1.2', port: 8080, container: API });
    expect(flow).toMatchObject({ packetsOut: 1, packetsIn: 1 });
  });

  describe('an asymmetric route through a container on two networks', () => {
    // The client reaches db on its net-b address; db answers by its default route, over net-a.
    const syn = { src: '203.0.113.10', dst: '198.18.2.3', protocol: 'tcp' as const, srcPort: 38710, dstPort: 8080 };
    const reply = { src: '198.18.2.3', dst: '203.0.113.10', protocol: 'tcp' as const, srcPort: 8080, dstPort: 38710 };
    const expectOneInboundFlow = () => {
      const flows = table.active();
      expect(flows).toHaveLength(1);
      const [flow] = flows;
      expect(flow?.src).toMatchObject({ ip: '203.0.113.10', port: 38710, kind: 'external' });
      expect(flow?.dst).toMatchObject({ ip: '198.18.2.3', port: 8080, kind: 'container', container: DB });
      expect(flow?.networks.sort()).toEqual(['net-a', 'net-b']);
      // No record ever had db as the source: nothing read it as db connecting out.
      const starts = events.filter((e) => e.kind === 'flow.start').map((e) => flowOf(e)!);
      expect(starts).toHaveLength(1);
      expect(starts[0]?.src.ip).toBe('203.0.113.10');
      return flow!;
    };

    it('is one flow from the client, counted on both bridges, when the SYN is read first', () => {
      send('net-b', { ...syn, flags: 'S' }, 1000);
      send('net-a', { ...reply, flags: 'SA' }, 1001);
      send('net-b', { ...syn, flags: 'A' }, 1002);
      send('net-a', { ...reply, flags: 'PA' }, 1003);
      expect(expectOneInboundFlow()).toMatchObject({ network: 'net-b', packetsOut: 2, packetsIn: 2 });
      send('net-b', { ...syn, flags: 'FA' }, 1004);
      send('net-a', { ...reply, flags: 'FA' }, 1005);
      expect(kinds().at(-1)).toBe('flow.end');
      expect(flowOf(events.at(-1))).toMatchObject({ state: 'closed' });
    });

    it('is the same one flow when the SYN-ACK bridge is read first', () => {
      send('net-a', { ...reply, flags: 'SA' }, 1000);
      send('net-b', { ...syn, flags: 'S' }, 1000);
      send('net-b', { ...syn, flags: 'A' }, 1001);
      expect(expectOneInboundFlow()).toMatchObject({ packetsOut: 2, packetsIn: 1 });
    });

    it('waits for the other half for a while, not for the whole life of the flow', () => {
      send('net-b', { ...syn, flags: 'S' }, 1000);
      table.sweep(1000 + HALF_WINDOW_MS - 1);
      send('net-a', { ...reply, flags: 'SA' }, 1000 + HALF_WINDOW_MS - 1);
      expect(table.active()).toHaveLength(1); // still met

      const late = { ...syn, srcPort: 38711 };
      send('net-b', { ...late, flags: 'S' }, 2000);
      table.sweep(2000 + HALF_WINDOW_MS);
      send('net-a', { ...reply, dstPort: 38711, flags: 'SA' }, 2000 + HALF_WINDOW_MS);
      expect(table.active()).toHaveLength(3); // forgotten: the late SYN-ACK is a flow of its own
    });

    it('keeps two SYN sightings of the same tuple on two bridges apart (not halves of one route)', () => {
      send('net-a', { ...syn, flags: 'S' }, 1000);
      send('net-c', { ...syn, flags: 'S' }, 1000);
      expect(table.active()).toHaveLength(2);
    });
  });

  it('starts a new flow on a fresh SYN after the 5-tuple closed (port reuse)', () => {
    const tuple = { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp' as const, srcPort: 41000, dstPort: 80 };
    send('net-a', { ...tuple, flags: 'S' }, 0);
    send('net-a', { ...tuple, flags: 'R' }, 1);
    send('net-a', { ...tuple, flags: 'S' }, 2);
    expect(kinds()).toEqual(['flow.start', 'flow.end', 'flow.start']);
    expect(table.size).toBe(1);
    expect(table.active()[0]).toMatchObject({ firstSeen: 2, packetsOut: 1 });
  });

  it('counts both directions of an IPv6 flow as one', () => {
    const a = Buffer.from('fd000000000000000000000000000002', 'hex');
    const b = Buffer.from('fd000000000000000000000000000003', 'hex');
    const udp = (sp: number, dp: number) => Buffer.from([sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, 0, 8, 0, 0]);
    for (const frame of [
      ipv6Frame({ src: b, dst: a, extensions: [], protocol: 17, l4: udp(5353, 40000) }),
      ipv6Frame({ src: a, dst: b, extensions: [], protocol: 17, l4: udp(40000, 5353) }),
      ipv6Frame({ src: b, dst: a, extensions: [], protocol: 17, l4: udp(5353, 40000) }),
    ]) {
      expect(decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta)).toBe('ip');
      table.observe('net-a', meta, frame, 0);
    }
    expect(table.active()).toHaveLength(1);
    expect(table.active()[0]).toMatchObject({ src: { ip: 'fd00::3', port: 5353 }, packetsOut: 2, packetsIn: 1 });
  });

  it('recognises a flow routed between two bridges as one, with the real source kept', () => {
    const onA = { src: '198.18.1.2', dst: '198.18.2.3', protocol: 'tcp' as const, srcPort: 42000, dstPort: 8080 };
    const onB = { ...onA, src: '198.18.2.1' }; // MASQUERADE: B's gateway
    const bytes = send('net-a', { ...onA, flags: 'S' }, 5000);
    send('net-b', { ...onB, flags: 'S' }, 5000);
    send(
      'net-b',
      { src: '198.18.2.3', dst: '198.18.2.1', protocol: 'tcp', srcPort: 8080, dstPort: 42000, flags: 'SA' },
      5001,
    );
    send(
      'net-a',
      { src: '198.18.2.3', dst: '198.18.1.2', protocol: 'tcp', srcPort: 8080, dstPort: 42000, flags: 'SA' },
      5001,
    );
    expect(kinds().filter((k) => k === 'flow.start')).toHaveLength(1);
    expect(table.active()).toHaveLength(1);
    const flow = table.active()[0]!;
    expect(flow.networks).toEqual(['net-a', 'net-b']);
    expect(flow.src).toMatchObject({ ip: '198.18.1.2', container: API });
    expect(flow.dst).toMatchObject({ ip: '198.18.2.3', container: DB });
    // Counted once, on the bridge it was first seen on.
    expect([flow.packetsOut, flow.packetsIn, flow.bytesOut]).toEqual([1, 1, bytes]);
  });

  it('merges the sightings when the destination bridge is read first', () => {
    const onA = { src: '198.18.1.2', dst: '198.18.2.3', protocol: 'udp' as const, srcPort: 42000, dstPort: 9999 };
    send('net-b', { ...onA, src: '198.18.2.1' }, 7000);
    send('net-a', onA, 7000);
    expect(table.active()).toHaveLength(1);
    expect(table.active()[0]).toMatchObject({
      networks: ['net-b', 'net-a'],
      src: { ip: '198.18.1.2', container: API },
    });
    // The start named the gateway as source; the join's update names the real one, flagged so
    // detectors judge the flow as it really began.
    expect(events.map((e) => [e.kind, e.kind === 'flow.update' ? e.sourceFound : undefined])).toEqual([
      ['flow.start', undefined],
      ['flow.update', true],
    ]);
    expect(flowOf(events[1])?.src.container).toEqual(API);
  });

  it('does not flag the join of a routed flow whose source bridge was read first', () => {
    const onA = { src: '198.18.1.2', dst: '198.18.2.3', protocol: 'udp' as const, srcPort: 42000, dstPort: 9999 };
    send('net-a', onA, 7000);
    send('net-b', { ...onA, src: '198.18.2.1' }, 7000);
    expect(events.map((e) => [e.kind, e.kind === 'flow.update' ? e.sourceFound : undefined])).toEqual([
      ['flow.start', undefined],
      ['flow.update', undefined],
    ]);
  });

  it('keeps two sightings apart when they are further apart in time than forwarding takes', () => {
    const onA = { src: '198.18.1.2', dst: '198.18.2.3', protocol: 'udp' as const, srcPort: 42000, dstPort: 9999 };
    send('net-a', onA, 0);
    send('net-b', { ...onA, src: '198.18.2.1' }, 10_000);
    expect(table.active()).toHaveLength(2);
  });

  it('hands byte and packet deltas to the drain once', () => {
    const bytes = send('net-a', { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp' }, 0);
    send('net-a', { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp' }, 1);
    const seen: [number, number][] = [];
    table.drain((_flow, b, p) => seen.push([b, p]));
    table.drain((_flow, b, p) => seen.push([b, p]));
    expect(seen).toEqual([[bytes * 2, 2]]);
  });

  it('drains the last bytes of flows that left the table before the drain, with their own labels', () => {
    table = new FlowTable({ host: 'h', maxFlows: 100, attributor, emit: () => {} });
    const to = (dst: string) => ({ src: '198.18.1.2', dst, protocol: 'udp' as const });
    for (let i = 0; i < 100; i++) send('net-a', to(`203.0.113.${i}`), i);
    // 100 more flows evict the first 100 (their rows wait for the drain), and reuse none of them meanwhile.
    for (let i = 100; i < 200; i++) send('net-a', to(`203.0.113.${i}`), i);
    expect(table.evicted).toBe(100);
    const drained = new Map<string, number>();
    table.drain((flow, _bytes, packets) => drained.set(flow.dst.ip, (drained.get(flow.dst.ip) ?? 0) + packets));
    expect(drained.size).toBe(200);
    expect([...drained.values()].every((packets) => packets === 1)).toBe(true);
    // Drained, the rows are reused: the table's flows are still counted apart.
    for (let i = 200; i < 250; i++) send('net-a', to(`203.0.113.${i}`), i);
    send('net-a', to('203.0.113.199'), 300);
    const active = new Map(table.active().map((f) => [f.dst.ip, f.packetsOut]));
    expect(active.size).toBe(100);
    expect(active.get('203.0.113.199')).toBe(2);
    expect(active.get('203.0.113.249')).toBe(1);
    expect(active.has('203.0.113.149')).toBe(false);
  });

  it('drains in turns when told to stop: every flow once, what arrives meanwhile included', () => {
    table = new FlowTable({ host: 'h', maxFlows: 2000, attributor, emit: () => {} });
    const flowTo = (port: number) => ({
      src: '198.18.1.2',
      dst: '203.0.113.10',
      protocol: 'udp' as const,
      dstPort: port,
    });
    for (let port = 1; port <= 1000; port++) send('net-a', flowTo(port), 0);
    const packets = new Map<number, number>();
    const sink = (flow: { dst: { port: number | null } }, _b: number, p: number) =>
      packets.set(flow.dst.port!, (packets.get(flow.dst.port!) ?? 0) + p);
    let turns = 1;
    expect(table.drain(sink, () => true)).toBe(false); // stops at its first check, 255 flows in
    expect(packets.size).toBe(255);
    send('net-a', flowTo(1), 1); // drained already: marked again
    send('net-a', flowTo(1001), 1); // new
    while (!table.drain(sink, () => true)) turns++;
    expect(turns).toBe(3); // 1 002 dirty entries at 255 a turn: the fourth call ends it
    expect(packets.size).toBe(1001);
    expect(packets.get(1)).toBe(2);
    expect([...packets.values()].reduce((a, b) => a + b)).toBe(1002);
    expect(table.drain(sink)).toBe(true);
    expect([...packets.values()].reduce((a, b) => a + b)).toBe(1002);
  });

  it('counts flows not yet ended by the network they were first seen on', () => {
    send('net-a', { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp' }, 0);
    send('net-a', { src: '198.18.1.2', dst: '203.0.113.11', protocol: 'tcp', flags: 'S' }, 0);
    send('net-b', { src: '198.18.2.3', dst: '203.0.113.10', protocol: 'udp' }, 0);
    send('net-a', { src: '198.18.1.2', dst: '203.0.113.11', protocol: 'tcp', flags: 'R' }, 1);
    expect(table.activeByNetwork()).toEqual(
      new Map([
        ['net-a', 1],
        ['net-b', 1],
      ]),
    );
  });
});
