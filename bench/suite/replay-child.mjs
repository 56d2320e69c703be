// Replays capture files through the compiled decode → flow table → DNS path (build/, what the
// agent runs) in one process and prints {packets, seconds, unreadable}: the offline benchmark's
// in-process timer for the capture corpus, where one `run --pcap` per file would measure start-up.
//   node bench/suite/replay-child.mjs FILE...
import { CidrAttributor, PacketProcessor } from '../../build/collector/flows/index.js';
import { CaptureFile } from '../../build/collector/packets/index.js';

let packets = 0;
let unreadable = 0;
const started = process.hrtime.bigint();
for (const file of process.argv.slice(2)) {
  let capture;
  try {
    capture = new CaptureFile(file);
  } catch {
    unreadable++;
    continue;
  }
  const processor = new PacketProcessor({
    host: 'bench',
    maxFlows: 100_000,
    attributor: new CidrAttributor({ bench: '198.18.0.0/15' }),
    emit: () => undefined,
  });
  let lastAt = 0;
  let nextSweep = 0;
  for (const packet of capture.packets()) {
    const at = packet.at || lastAt;
    lastAt = at;
    processor.handle(null, packet.buf, packet.caplen, packet.linkType, at, packet.offset);
    if (at >= nextSweep) {
      processor.flows.sweep(at);
      nextSweep = at + 1000;
    }
  }
  processor.flows.flush(lastAt);
  packets += processor.counts.packets;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`BENCH_RESULT ${JSON.stringify({ packets, seconds, unreadable })}\n`);
