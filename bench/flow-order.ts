// The flow table's cost per packet of a known flow, the flows' packets in the order the flows
// were made (as the generated captures walk them) or in random order (as real traffic
// interleaves them): what a cache miss per flow state costs. Decoder and flow table only, no
// detectors; a scratch measure behind bench/README.md's offline and live notes, not a suite line.
//
//   node --import tsx bench/flow-order.ts [flows=100000] [rounds=20] [random]
import { PacketProcessor } from '../collector/flows/index.ts';

const flows = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 20);
const random = process.argv[4] === 'random';
const LEN = 60;
// Two UDP frames a flow (each direction), addresses inside 198.18.0.0/15.
const frames = Buffer.alloc(flows * 2 * LEN);
const write = (flow: number, at: number, reply: boolean) => {
  frames.writeUInt16BE(0x0800, at + 12);
  const ip = at + 14;
  frames[ip] = 0x45;
  frames.writeUInt16BE(46, ip + 2);
  frames[ip + 8] = 64;
  frames[ip + 9] = 17;
  const client = [198, 18, (flow >> 8) & 0xff, flow & 0xff];
  const server = [198, 19, 0, 1];
  frames.set(reply ? server : client, ip + 12);
  frames.set(reply ? client : server, ip + 16);
  const port = 10_000 + (flow % 50_000);
  frames.writeUInt16BE(reply ? 5000 : port, ip + 20);
  frames.writeUInt16BE(reply ? port : 5000, ip + 22);
  frames.writeUInt16BE(26, ip + 24);
};
for (let flow = 0; flow < flows; flow++) {
  write(flow, flow * 2 * LEN, false);
  write(flow, (flow * 2 + 1) * LEN, true);
}
const order = Int32Array.from({ length: flows * 2 }, (_, i) => i);
if (random) {
  let seed = 0x5eed;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}
const processor = new PacketProcessor({
  host: 'bench',
  maxFlows: 2 * flows,
  attributor: { attribute: () => ({ kind: 'external', container: null, local: false }) },
  emit: () => undefined,
});
let at = 1.7e12;
const pass = () => {
  at += 1;
  for (let i = 0; i < order.length; i++) processor.handle('bench', frames, LEN, 1, at, order[i]! * LEN);
};
for (let warm = 0; warm < 6; warm++) pass(); // makes the flows, then lets the JIT settle
const start = process.hrtime.bigint();
for (let round = 0; round < rounds; round++) pass();
const ns = Number(process.hrtime.bigint() - start) / (rounds * order.length);
console.log(`${flows} flows, ${random ? 'random order' : 'the order they were made'}: ${ns.toFixed(0)} ns a packet`);
