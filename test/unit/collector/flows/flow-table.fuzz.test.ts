// The flow table under random traffic on one bridge: few endpoints, so flows collide, close, are
// reused and evicted at a small bound. Whatever the order, every packet is counted once: the
// metrics drain sees each one (also of flows that left the table before the drain), the table
// never holds more than its bound, and every flow that started has ended after a flush.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ShipwatchEvent } from '../../../../collector/events.ts';
import type { Attributor } from '../../../../collector/flows/flow-attribution.ts';
import { FlowTable } from '../../../../collector/flows/flow-table.ts';
import { decodePacket, LINKTYPE_ETHERNET, newPacketMeta } from '../../../../collector/packets/packet-decoder.ts';
import { ipv4Frame } from '../../../support/packet-builder.ts';

const attributor: Attributor = { attribute: () => ({ kind: 'external', container: null, local: false }) };
const HOSTS = ['198.18.1.2', '198.18.1.3', '203.0.113.10'];

const packet = fc.record({
  src: fc.constantFrom(...HOSTS),
  dst: fc.constantFrom(...HOSTS),
  protocol: fc.constantFrom('tcp' as const, 'udp' as const),
  srcPort: fc.constantFrom(80, 40000, 40001),
  dstPort: fc.constantFrom(80, 40000, 40001),
  flags: fc.constantFrom('S', 'SA', 'A', 'PA', 'FA', 'R'),
  payload: fc.nat(40),
  /** Milliseconds after the previous packet: some far enough apart for the sweep to end flows. */
  gap: fc.oneof(fc.nat(50), fc.constant(70_000)),
  sweep: fc.boolean(),
  drain: fc.boolean(),
});

describe('FlowTable under random traffic', () => {
  it('counts every packet once, holds its bound, and ends every flow it started', () => {
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 300 }), (packets) => {
        const events: ShipwatchEvent[] = [];
        const table = new FlowTable({
          host: 'h',
          maxFlows: 4,
          attributor,
          emit: (e) => events.push(e),
          closedLingerMs: 100,
        });
        const meta = newPacketMeta();
        let drainedPackets = 0;
        let drainedBytes = 0;
        const drain = () =>
          table.drain((_flow, bytes, count) => {
            drainedBytes += bytes;
            drainedPackets += count;
          });
        let at = 1_000;
        let bytes = 0;
        for (const p of packets) {
          at += p.gap;
          const frame = ipv4Frame({ ...p, payload: Buffer.alloc(p.payload) });
          expect(decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta)).toBe('ip');
          table.observe('net-a', meta, frame, at);
          bytes += meta.wireBytes;
          expect(table.size).toBeLessThanOrEqual(4);
          if (p.sweep) table.sweep(at);
          if (p.drain) drain();
        }
        table.flush(at + 1);
        drain();
        expect([drainedPackets, drainedBytes]).toEqual([packets.length, bytes]);
        expect(table.size).toBe(0);
        const started = events.filter((e) => e.kind === 'flow.start').map((e) => ('flow' in e ? e.flow.id : ''));
        const ended = events.filter((e) => e.kind === 'flow.end').map((e) => ('flow' in e ? e.flow.id : ''));
        expect(ended.sort()).toEqual(started.sort());
      }),
      { numRuns: 300 },
    );
  });
});
