// Resident memory with N active flows in the compiled flow table (build/): N distinct TCP
// handshakes fed through the decoder, then RSS and V8 heap after a full GC.
//   node --expose-gc bench/suite/flow-memory-child.mjs N
import { CidrAttributor, PacketProcessor } from '../../build/collector/flows/index.js';

const n = Number(process.argv[2]);
const frame = Buffer.alloc(54);
// Ethernet (IPv4) + IPv4 (TCP, 40 bytes) + TCP SYN, addresses written per flow below.
frame.writeUInt16BE(0x0800, 12);
frame[14] = 0x45;
frame.writeUInt16BE(40, 16);
frame[22] = 64;
frame[23] = 6;
frame[46] = 5 << 4;
frame[47] = 0x02;
const processor = new PacketProcessor({
  host: 'bench',
  maxFlows: n + 1,
  attributor: new CidrAttributor({ bench: '198.18.0.0/15' }),
  emit: () => undefined,
});
globalThis.gc();
const before = process.memoryUsage();
for (let i = 0; i < n; i++) {
  // Source 198.18.x.y (one per 60 000 ports), destination 203.0.113.10:443.
  const host = Math.floor(i / 60_000);
  frame.set([198, 18, (host >> 8) & 0xff, (host & 0xff) + 1], 26);
  frame.set([203, 0, 113, 10], 30);
  frame.writeUInt16BE(1024 + (i % 60_000), 34);
  frame.writeUInt16BE(443, 36);
  processor.handle('bench', frame, frame.length, 1, 1.7e12 + i / 1000);
}
globalThis.gc();
const after = process.memoryUsage();
const active = processor.flows.size;
process.stdout.write(
  `BENCH_RESULT ${JSON.stringify({ flows: n, active, rssMiB: after.rss / 2 ** 20, baseRssMiB: before.rss / 2 ** 20, heapBytesPerFlow: (after.heapUsed - before.heapUsed) / n })}\n`,
);
