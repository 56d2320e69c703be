// Which DNS answers may name an address: only an answer to a query the same client sent, to a
// resolver it trusts, uncontested. Frames built byte by byte, a fixed clock, no Docker.
import { encode } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { ShipwatchEvent } from '../../../../collector/events.ts';
import { CidrAttributor } from '../../../../collector/flows/flow-attribution.ts';
import { PacketProcessor } from '../../../../collector/flows/packet-processor.ts';
import { LINKTYPE_ETHERNET } from '../../../../collector/packets/packet-decoder.ts';
import { ipv4Frame } from '../../../support/packet-builder.ts';

const CLIENT = '198.18.1.2';
const NEIGHBOUR = '198.18.1.3';
const RESOLVER = '203.0.113.53';
const ODD_RESOLVER = '203.0.113.66';
const TARGET = '203.0.113.20';

function setup(trusted: string[] | null = [RESOLVER]) {
  const events: ShipwatchEvent[] = [];
  const processor = new PacketProcessor({
    host: 'h',
    maxFlows: 100,
    attributor: new CidrAttributor({ shop: '198.18.1.0/24' }),
    emit: (e) => events.push(e),
    ...(trusted ? { trustResolver: (_client, server) => trusted.includes(server) } : {}),
  });
  const send = (frame: Buffer, at: number) => processor.handle('shop', frame, frame.length, LINKTYPE_ETHERNET, at);
  const query = (from: string, server: string, id: number, at: number, port = 40001) =>
    send(
      ipv4Frame({
        src: from,
        dst: server,
        protocol: 'udp',
        srcPort: port,
        dstPort: 53,
        payload: encode({ type: 'query', id, questions: [{ type: 'A', name: 'allowed.example' }] }),
      }),
      at,
    );
  const answer = (server: string, to: string, id: number, address: string, at: number, port = 40001) =>
    send(
      ipv4Frame({
        src: server,
        dst: to,
        protocol: 'udp',
        srcPort: 53,
        dstPort: port,
        payload: encode({
          type: 'response',
          id,
          questions: [{ type: 'A', name: 'allowed.example' }],
          answers: [{ type: 'A', name: 'allowed.example', data: address }],
        }),
      }),
      at,
    );
  /** The name the flow from `from` to TARGET carries. */
  const nameSeenBy = (from: string, at: number, port = 443): string | null => {
    send(ipv4Frame({ src: from, dst: TARGET, protocol: 'tcp', srcPort: 50000 + port, dstPort: port, flags: 'S' }), at);
    const start = events.filter((e) => e.kind === 'flow.start').at(-1);
    return start?.kind === 'flow.start' ? start.flow.dst.name : null;
  };
  return { processor, events, query, answer, nameSeenBy };
}

describe('DNS answers the agent believes', () => {
  it('names the address when a trusted resolver answers the client’s own query', () => {
    const t = setup();
    t.query(CLIENT, RESOLVER, 11, 1000);
    t.answer(RESOLVER, CLIENT, 11, TARGET, 1010);
    expect(t.nameSeenBy(CLIENT, 1020)).toBe('allowed.example');
    expect(t.events.some((e) => e.kind === 'dns.answer')).toBe(true);
  });

  it('ignores an answer from a nameserver the container chose itself (nslookup name odd-server)', () => {
    const t = setup();
    t.query(CLIENT, ODD_RESOLVER, 12, 1000);
    t.answer(ODD_RESOLVER, CLIENT, 12, TARGET, 1010);
    expect(t.nameSeenBy(CLIENT, 1020)).toBeNull();
    expect(t.processor.counts.dnsRejected).toBe(1);
    expect(t.events.some((e) => e.kind === 'dns.answer')).toBe(false);
  });

  it('ignores a forged answer nobody asked for, and one with the wrong id, port or question', () => {
    const t = setup();
    t.answer(RESOLVER, CLIENT, 13, TARGET, 1000);
    t.query(CLIENT, RESOLVER, 14, 1001);
    t.answer(RESOLVER, CLIENT, 15, TARGET, 1002);
    t.answer(RESOLVER, CLIENT, 14, TARGET, 1003, 40002);
    expect(t.nameSeenBy(CLIENT, 1010)).toBeNull();
    expect(t.processor.counts.dnsRejected).toBe(3);
  });

  it('ignores an answer arriving after the query expired', () => {
    const t = setup();
    t.query(CLIENT, RESOLVER, 16, 1000);
    t.answer(RESOLVER, CLIENT, 16, TARGET, 1000 + 11_000);
    expect(t.nameSeenBy(CLIENT, 12_100)).toBeNull();
  });

  it('withdraws the name when a second, different answer races the first', () => {
    const t = setup();
    t.query(CLIENT, RESOLVER, 17, 1000);
    t.answer(RESOLVER, CLIENT, 17, TARGET, 1001);
    t.answer(RESOLVER, CLIENT, 17, '203.0.113.10', 1002);
    expect(t.nameSeenBy(CLIENT, 1010)).toBeNull();
  });

  it('names the address only for the client that asked, never for a neighbour', () => {
    const t = setup();
    t.query(CLIENT, RESOLVER, 18, 1000);
    t.answer(RESOLVER, CLIENT, 18, TARGET, 1001);
    expect(t.nameSeenBy(NEIGHBOUR, 1010)).toBeNull();
    expect(t.nameSeenBy(CLIENT, 1011, 8443)).toBe('allowed.example');
  });

  it('offline, without a resolver list, believes any server that answers a query seen in the capture', () => {
    const t = setup(null);
    t.query(CLIENT, ODD_RESOLVER, 19, 1000);
    t.answer(ODD_RESOLVER, CLIENT, 19, TARGET, 1001);
    expect(t.nameSeenBy(CLIENT, 1010)).toBe('allowed.example');
  });
});
