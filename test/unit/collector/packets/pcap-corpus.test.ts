// Every capture in ../shared/pcaps (many crafted to crash parsers) goes through the file reader,
// the decoder and the flow table without an exception.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CidrAttributor } from '../../../../collector/flows/flow-attribution.ts';
import { CaptureFile, PcapFileError } from '../../../../collector/packets/pcap-file.ts';
import { PacketProcessor } from '../../../../collector/flows/packet-processor.ts';

const CORPUS = '/work/shared/pcaps';
const files = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng|cap)$/.test(f));

describe('the shared pcap corpus', () => {
  it('reads and decodes every capture without throwing, counting malformed packets', () => {
    const totals = { files: 0, notCaptures: 0, damaged: 0, packets: 0, decoded: 0, ignored: 0, malformed: 0, flows: 0 };
    for (const file of files) {
      let capture: CaptureFile;
      try {
        capture = new CaptureFile(path.join(CORPUS, file));
      } catch (error) {
        expect(error).toBeInstanceOf(PcapFileError);
        totals.notCaptures++;
        continue;
      }
      let flows = 0;
      const processor = new PacketProcessor({
        host: 'test',
        maxFlows: 1000,
        attributor: new CidrAttributor({}),
        emit: (event) => {
          if (event.kind === 'flow.start') flows++;
        },
      });
      for (const packet of capture.packets())
        processor.handle('pcap', packet.buf, packet.caplen, packet.linkType, packet.at, packet.offset);
      processor.flows.flush(0);
      totals.files++;
      if (capture.damaged) totals.damaged++;
      totals.packets += processor.counts.packets;
      totals.decoded += processor.counts.decoded;
      totals.ignored += processor.counts.ignored;
      totals.malformed += processor.counts.malformed;
      totals.flows += flows;
    }
    console.log(`pcap corpus: ${JSON.stringify(totals)}`);
    expect(files.length).toBe(388);
    expect(totals.files + totals.notCaptures).toBe(files.length);
    expect(totals.decoded).toBeGreaterThan(0);
    // The corpus holds crafted packets: some must be recognised as malformed, and none lost uncounted.
    expect(totals.malformed).toBeGreaterThan(0);
    expect(totals.decoded + totals.ignored + totals.malformed).toBeGreaterThanOrEqual(totals.packets);
  });
});
