// Property-based fuzzing of everything that reads bytes a container (or a capture file) chose:
// the frame decoder, the packet path that feeds the flow table, DNS responses, and the pcap and
// pcapng readers. Each property: a clear value or a counted malformed input, never a throw, and
// never a hang (every run is bounded in count and in time).
import { encode } from 'dns-packet';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CidrAttributor } from '../../../collector/flows/flow-attribution.ts';
import { PacketProcessor } from '../../../collector/flows/packet-processor.ts';
import { parseDnsResponse } from '../../../collector/packets/dns-answers.ts';
import { CaptureFile, PcapFileError } from '../../../collector/packets/pcap-file.ts';
import {
  decodePacket,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  newPacketMeta,
} from '../../../collector/packets/packet-decoder.ts';
import { ipv4Frame, pcapFile } from '../../support/packet-builder.ts';

/** Bounded: a few hundred cases each, and never more than 5 s of wall time, on a loaded 2-core machine. */
const RUNS = { numRuns: 400, interruptAfterTimeLimit: 5000 } as const;
const LINK_TYPES = [
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  228,
  229,
  9,
];

const dnsResponse = encode({
  type: 'response',
  id: 9,
  questions: [{ type: 'A', name: 'allowed.example' }],
  answers: [
    { type: 'CNAME', name: 'allowed.example', data: 'edge.allowed.example' },
    { type: 'A', name: 'edge.allowed.example', data: '203.0.113.20' },
  ],
});
const templates = [
  ipv4Frame({ src: '198.18.1.2', dst: '203.0.113.10', protocol: 'tcp', dstPort: 4444, flags: 'S' }),
  ipv4Frame({ src: '203.0.113.53', dst: '198.18.1.2', protocol: 'udp', srcPort: 53, payload: dnsResponse }),
  ipv4Frame({ src: '198.18.1.2', dst: '203.0.113.10', protocol: 'icmp' }),
  ipv4Frame({ src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp', vlan: [5, 6] }),
];

/** A real frame with a few bytes overwritten and maybe cut short: closer to the parser's edges than noise. */
const mutatedFrame = fc
  .tuple(
    fc.constantFrom(...templates),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    fc.nat(),
  )
  .map(([template, edits, cut]) => {
    const frame = Buffer.from(template);
    for (const [at, value] of edits) frame[at % frame.length] = value;
    return frame.subarray(0, frame.length - (cut % 8 === 0 ? cut % frame.length : 0));
  });
const anyFrame = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
  mutatedFrame,
);

describe('packet decoder under fuzzing', () => {
  it('returns ip, ignored or malformed for any bytes of any link type, with offsets inside the frame', () => {
    const meta = newPacketMeta();
    fc.assert(
      fc.property(anyFrame, fc.constantFrom(...LINK_TYPES), fc.nat({ max: 300 }), (frame, linkType, caplen) => {
        const status = decodePacket(frame, caplen, linkType, meta);
        expect(['ip', 'ignored', 'malformed']).toContain(status);
        if (status === 'ip') {
          const end = Math.min(caplen, frame.length);
          expect(meta.dstOffset + (meta.ipVersion === 4 ? 4 : 16)).toBeLessThanOrEqual(end);
          expect(meta.payloadLength).toBeGreaterThanOrEqual(0);
          // A snaplen cut inside the TCP options leaves an empty payload past the end: never read.
          if (meta.payloadLength > 0) expect(meta.payloadOffset + meta.payloadLength).toBeLessThanOrEqual(end);
        }
      }),
      RUNS,
    );
  });

  it('counts every frame the packet path is given exactly once, as decoded, ignored or malformed', () => {
    fc.assert(
      fc.property(fc.array(anyFrame, { maxLength: 40 }), (frames) => {
        const processor = new PacketProcessor({
          host: 'h',
          maxFlows: 50,
          attributor: new CidrAttributor({ shop: '198.18.1.0/24' }),
          emit: () => undefined,
        });
        frames.forEach((frame, i) => processor.handle('shop', frame, frame.length, LINKTYPE_ETHERNET, 1000 + i));
        const c = processor.counts;
        expect(c.packets).toBe(frames.length);
        // A DNS payload can be malformed inside a decoded frame: counted twice on purpose.
        expect(c.decoded + c.ignored + c.malformed).toBeGreaterThanOrEqual(frames.length);
        expect(processor.flows.size).toBeLessThanOrEqual(50);
      }),
      RUNS,
    );
  });
});

describe('DNS responses under fuzzing', () => {
  it('parses any bytes to an answer, null or malformed, never throwing', () => {
    const mutated = fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat())
      .map(([edits, cut]) => {
        const bytes = Buffer.from(dnsResponse);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return bytes.subarray(0, bytes.length - (cut % bytes.length));
      });
    fc.assert(
      fc.property(
        fc.oneof(
          mutated,
          fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
        ),
        (payload) => {
          const answer = parseDnsResponse(payload);
          if (answer !== null && answer !== 'malformed') {
            expect(typeof answer.name).toBe('string');
            expect(answer.addresses.length).toBeGreaterThan(0);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('capture files under fuzzing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-fuzz-pcap-'));
  const good = pcapFile(templates.map((data, i) => ({ at: 1_700_000_000_000 + i, data })));

  it('opens any file to packets plus a damage note, or refuses it with PcapFileError', () => {
    const mutatedFile = fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 10 }), fc.nat())
      .map(([edits, cut]) => {
        const bytes = Buffer.from(good);
        // Keep the magic most of the time, so the record parser (not the magic check) is what is fuzzed.
        for (const [at, value] of edits) bytes[4 + (at % (bytes.length - 4))] = value;
        return bytes.subarray(0, bytes.length - (cut % 3 === 0 ? cut % bytes.length : 0));
      });
    let n = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          mutatedFile,
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        ),
        (bytes) => {
          const file = path.join(dir, `f${n++}.pcap`);
          writeFileSync(file, bytes);
          let capture: CaptureFile;
          try {
            capture = new CaptureFile(file);
          } catch (error) {
            expect(error).toBeInstanceOf(PcapFileError);
            return;
          }
          let packets = 0;
          for (const packet of capture.packets()) {
            expect(packet.offset + packet.caplen).toBeLessThanOrEqual(packet.buf.length);
            packets++;
          }
          expect(packets).toBeLessThanOrEqual(bytes.length / 16);
        },
      ),
      { numRuns: 200, interruptAfterTimeLimit: 5000 },
    );
  });
});
