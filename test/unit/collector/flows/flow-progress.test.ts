// The flow table's reports between start and end that the volume and mining rules rely on.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ShipwatchEvent } from '../../../../collector/events.ts';
import type { Attributor } from '../../../../collector/flows/flow-attribution.ts';
import { FIRST_PAYLOAD_BYTES, VOLUME_UPDATE_BYTES } from '../../../../collector/flows/flow-progress.ts';
import { FlowTable } from '../../../../collector/flows/flow-table.ts';
import { decodePacket, LINKTYPE_ETHERNET, newPacketMeta } from '../../../../collector/packets/packet-decoder.ts';
import { ipv4Frame, type FrameSpec } from '../../../support/packet-builder.ts';

const API = { id: 'id-api', name: 'api', image: 'shop/api', workload: 'shop/api' };
const attributor: Attributor = {
  attribute: (_network, ip) =>
    ip === '198.18.1.2'
      ? { kind: 'container', container: API, local: true }
      : { kind: 'external', container: null, local: false },
};
const OUT = { src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp', srcPort: 41000, dstPort: 3333 } as const;
const IN = { src: '203.0.113.10', dst: '198.18.1.2', protocol: 'tcp', srcPort: 3333, dstPort: 41000 } as const;

describe('FlowTable progress updates', () => {
  let events: ShipwatchEvent[];
  let table: FlowTable;
  const meta = newPacketMeta();
  const send = (spec: FrameSpec, at: number) => {
    const frame = ipv4Frame(spec);
    expect(decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta)).toBe('ip');
    table.observe('net-a', meta, frame, at);
  };
  const updates = () => events.filter((e) => e.kind === 'flow.update').map((e) => ('flow' in e ? e.flow : null));

  beforeEach(() => {
    events = [];
    table = new FlowTable({ host: 'h', maxFlows: 100, attributor, emit: (e) => events.push(e) });
    send({ ...OUT, flags: 'S' }, 1000);
    send({ ...IN, flags: 'SA' }, 1001);
    send({ ...OUT, flags: 'A' }, 1002);
  });

  it('reports the first payload bytes of a flow in an update, once', () => {
    const line = '{"id":1,"method":"mining.subscribe","params":["x"]}\n'.padEnd(300, ' ');
    send({ ...OUT, flags: 'PA', payload: Buffer.from(line) }, 1003);
    send({ ...OUT, flags: 'PA', payload: Buffer.from('second') }, 1004);
    const withPayload = updates().filter((f) => f?.firstPayload !== undefined);
    expect(withPayload).toHaveLength(1);
    expect(withPayload[0]?.firstPayload).toBe(line.slice(0, FIRST_PAYLOAD_BYTES));
  });

  it('reports a flow each time it has moved another few MiB, not only at its end', () => {
    const chunk = Buffer.alloc(60_000, 0x61);
    const frames = Math.ceil((2 * VOLUME_UPDATE_BYTES) / 60_000) + 1;
    for (let i = 0; i < frames; i++) send({ ...OUT, flags: 'A', payload: chunk }, 1010 + i);
    const volume = updates().filter((f) => (f?.bytesOut ?? 0) >= VOLUME_UPDATE_BYTES);
    expect(volume.length).toBe(2);
    expect(volume[0]?.bytesOut).toBeGreaterThanOrEqual(VOLUME_UPDATE_BYTES);
    expect(volume[0]?.bytesOut).toBeLessThan(VOLUME_UPDATE_BYTES + 130_000);
  });
});
