import { encode } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { ShipwatchEvent } from '../../../../collector/events.ts';
import { CidrAttributor } from '../../../../collector/flows/flow-attribution.ts';
import { LINKTYPE_ETHERNET } from '../../../../collector/packets/packet-decoder.ts';
import { PacketProcessor } from '../../../../collector/flows/packet-processor.ts';
import { ipv4Frame } from '../../../support/packet-builder.ts';

describe('PacketProcessor', () => {
  it('turns a DNS answer into a dns.answer event and names the flow to that address', () => {
    const events: ShipwatchEvent[] = [];
    const processor = new PacketProcessor({
      host: 'h',
      maxFlows: 100,
      attributor: new CidrAttributor({ shop: '198.18.1.0/24' }),
      emit: (e) => events.push(e),
    });
    const answer = encode({
      type: 'response',
      id: 7,
      questions: [{ type: 'A', name: 'exfil.shipwatch.test' }],
      answers: [{ type: 'A', name: 'exfil.shipwatch.test', data: '203.0.113.10' }],
    });
    const query = ipv4Frame({
      src: '198.18.1.2',
      dst: '203.0.113.53',
      protocol: 'udp',
      srcPort: 40001,
      dstPort: 53,
      payload: encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'exfil.shipwatch.test' }] }),
    });
    processor.handle('shop', query, query.length, LINKTYPE_ETHERNET, 999);
    const dns = ipv4Frame({
      src: '203.0.113.53',
      dst: '198.18.1.2',
      protocol: 'udp',
      srcPort: 53,
      dstPort: 40001,
      payload: answer,
    });
    processor.handle('shop', dns, dns.length, LINKTYPE_ETHERNET, 1000);
    const syn = ipv4Frame({ src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp', dstPort: 4444, flags: 'S' });
    processor.handle('shop', syn, syn.length, LINKTYPE_ETHERNET, 1001);

    const dnsEvent = events.find((e) => e.kind === 'dns.answer');
    expect(dnsEvent).toMatchObject({
      network: 'shop',
      name: 'exfil.shipwatch.test',
      addresses: ['203.0.113.10'],
      client: { name: '198.18.1.2', workload: 'shop' },
    });
    const start = events.filter((e) => e.kind === 'flow.start').at(-1);
    expect(start && 'flow' in start ? start.flow.dst : null).toMatchObject({
      ip: '203.0.113.10',
      kind: 'external',
      name: 'exfil.shipwatch.test',
    });
  });

  it('counts malformed frames and non-IP frames apart and keeps going', () => {
    const processor = new PacketProcessor({
      host: 'h',
      maxFlows: 100,
      attributor: new CidrAttributor({}),
      emit: () => undefined,
    });
    const good = ipv4Frame({ src: '198.18.1.2', dst: '198.18.1.3', protocol: 'udp' });
    processor.handle('n', good.subarray(0, 20), 20, LINKTYPE_ETHERNET, 0);
    processor.handle(
      'n',
      Buffer.concat([good.subarray(0, 12), Buffer.from([0x08, 0x06]), Buffer.alloc(28)]),
      42,
      LINKTYPE_ETHERNET,
      0,
    );
    processor.handle('n', good, good.length, LINKTYPE_ETHERNET, 0);
    expect(processor.counts).toMatchObject({ packets: 3, malformed: 1, ignored: 1, decoded: 1 });
  });
});
