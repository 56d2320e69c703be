// Offline decode + flow aggregation rate, and the header reader against `cap.decoders`.
//
//   npx tsx bench/decode.ts [packets=500000] [flows=10000]
//
// Writes a synthetic capture (TCP/UDP frames over `flows` 5-tuples, 64–1400 byte frames) to a
// temp file, then times: (1) cap.decoders (Ethernet → IPv4 → TCP/UDP) on the frames in memory;
// (2) collector/packets/packet-decoder.ts on the same frames; (3) the whole offline path — pcap-file.ts
// reader + decoder + flow table + DNS check — as `shipwatch run --pcap` runs it. One core, one
// process; short on purpose (the machine is shared).
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CidrAttributor, PacketProcessor } from '../collector/flows/index.ts';
import { CaptureFile, decodePacket, LINKTYPE_ETHERNET, newPacketMeta } from '../collector/packets/index.ts';
import { ipv4Frame, pcapFile } from '../test/support/packet-builder.ts';

interface CapDecoders {
  Ethernet(b: Buffer, offset?: number): { info: { type: number }; offset: number };
  IPV4(b: Buffer, offset: number): { info: { protocol: number; srcaddr: string; dstaddr: string }; offset: number };
  TCP(b: Buffer, offset: number): { info: { srcport: number; dstport: number; flags: number }; offset: number };
  UDP(b: Buffer, offset: number): { info: { srcport: number; dstport: number }; offset: number };
}
const { decoders } = createRequire(import.meta.url)('cap') as { decoders: CapDecoders };

const count = Number(process.argv[2] ?? 500_000);
const flowCount = Number(process.argv[3] ?? 10_000);

const frames: Buffer[] = [];
for (let i = 0; i < Math.min(count, 50_000); i++) {
  const flow = i % flowCount;
  const tcp = flow % 3 !== 0;
  frames.push(
    ipv4Frame({
      src: `198.18.${(flow >> 8) & 0xff}.${(flow & 0xff) | 2}`,
      dst: flow % 2 ? '203.0.113.10' : '198.18.200.3',
      protocol: tcp ? 'tcp' : 'udp',
      srcPort: 30000 + (flow % 30000),
      dstPort: tcp ? 443 : 9999,
      flags: i < flowCount ? 'S' : 'A',
      payload: Buffer.alloc(((i * 7919) % 1336) + 10),
    }),
  );
}

function time(label: string, packets: number, body: () => void): number {
  const started = process.hrtime.bigint();
  body();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = Math.round(packets / seconds);
  process.stdout.write(
    `${label.padEnd(44)} ${rate.toLocaleString('en-US').padStart(12)} packets/s  (${(1e6 / rate).toFixed(3)} µs/packet)\n`,
  );
  return rate;
}

let sink = 0;
time('cap.decoders (Ethernet+IPv4+TCP/UDP)', count, () => {
  for (let i = 0; i < count; i++) {
    const frame = frames[i % frames.length]!;
    const eth = decoders.Ethernet(frame);
    const ip = decoders.IPV4(frame, eth.offset);
    const l4 = ip.info.protocol === 6 ? decoders.TCP(frame, ip.offset) : decoders.UDP(frame, ip.offset);
    sink += l4.info.srcport + ip.info.srcaddr.length;
  }
});
const meta = newPacketMeta();
time('packet-decoder.ts (same headers)', count, () => {
  for (let i = 0; i < count; i++) {
    const frame = frames[i % frames.length]!;
    decodePacket(frame, frame.length, LINKTYPE_ETHERNET, meta);
    sink += meta.srcPort + meta.srcOffset;
  }
});

const dir = mkdtempSync(path.join(tmpdir(), 'sw-bench-'));
const file = path.join(dir, 'bench.pcap');
const records = Array.from({ length: count }, (_, i) => ({
  at: 1_700_000_000_000 + i / 100,
  data: frames[i % frames.length]!,
}));
writeFileSync(file, pcapFile(records));
let flowsStarted = 0;
const processor = new PacketProcessor({
  host: 'bench',
  maxFlows: 100_000,
  attributor: new CidrAttributor({ bench: '198.18.0.0/16' }),
  emit: (event) => {
    if (event.kind === 'flow.start') flowsStarted++;
  },
});
time('offline: pcap reader + decode + flow table', count, () => {
  let nextSweep = 0;
  for (const packet of new CaptureFile(file).packets()) {
    processor.handle('bench', packet.buf, packet.caplen, packet.linkType, packet.at, packet.offset);
    if (packet.at >= nextSweep) {
      processor.flows.sweep(packet.at);
      nextSweep = packet.at + 1000;
    }
  }
});
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `(${flowsStarted} flows started, ${processor.counts.malformed} malformed; checksum ${sink % 997})\n`,
);
