#!/usr/bin/env node
// One live capture with `cap` (libpcap), in its own process: `node bin/shipwatch-capture.js IFACE SNAPLEN [FILTER]`.
//
// Why a child process: cap's poll callback asserts that libuv reported no error, and a packet
// socket whose interface goes down (every `docker network rm`) reports POLLERR — so cap aborts
// the whole process (reproduced: "Assertion `status == 0' failed", exit 134). Here that abort only
// ends this child; the agent sees it exit and detaches. Packets go to the parent on stdout, framed:
//   hello:  "SWCP" u32le linktype
//   packet: u32le caplen, u32le 0, f64le epoch ms, caplen bytes
//   drops:  u32le 0xffffffff, u32le count, f64le epoch ms   (packets discarded while the pipe was full)
// Frames are batched per poll wake-up; when the parent cannot keep up (MAX_QUEUED waiting),
// packets are counted and dropped here instead of piling up in memory.
import { createRequire } from 'node:module';
import { setImmediate } from 'node:timers';

const require = createRequire(import.meta.url);
const { Cap } = require('cap');

const [iface = '', snaplenArg = '256', filter = ''] = process.argv.slice(2);
const snaplen = Math.max(64, Math.min(65535, Number(snaplenArg) || 256));
const LINK_TYPES = { NULL: 0, ETHERNET: 1, RAW: 101, LINKTYPE_LINUX_SLL: 113 };
const BATCH = 1 << 18;
const RING_BYTES = 32 << 20;
// write() returns false as soon as a chunk exceeds the stream's high-water mark, which every
// burst does; that is no reason to drop. Packets are dropped only when this much is queued for
// the parent (about 100k packets at the default snaplen): then memory, not the pipe, is at stake.
const MAX_QUEUED = 32 << 20;

const cap = new Cap();
// cap keeps a raw pointer into this Buffer for as long as the capture is open: it must stay
// reachable (module scope, for the life of the process), or libpcap writes into freed memory.
const packet = Buffer.alloc(snaplen);
globalThis.__swCapturePacketBuffer = packet;

let linkName;
try {
  // cap asks for immediate mode, in which libpcap uses TPACKET_V2: fixed ring slots sized for
  // cap's fixed 65535-byte snaplen (~64 KiB each), so 8 MiB held only ~127 packets and a burst of
  // ten short TCP connections overflowed it on a busy host (measured: 40 of 378 lost). 32 MiB holds
  // ~500 packets; the real fix is a smaller snaplen, which cap does not let us set.
  linkName = cap.open(iface, filter, RING_BYTES, packet);
} catch (error) {
  process.stderr.write(`open ${iface}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
}

let out = Buffer.allocUnsafe(BATCH);
let pos = 0;
let scheduled = false;
let dropped = 0;

const hello = Buffer.alloc(8);
hello.write('SWCP', 0, 'latin1');
hello.writeUInt32LE(LINK_TYPES[linkName] ?? 0xffff, 4);
process.stdout.write(hello);

function flush() {
  scheduled = false;
  if (pos === 0) return;
  const chunk = out.subarray(0, pos);
  out = Buffer.allocUnsafe(BATCH);
  pos = 0;
  process.stdout.write(chunk);
}

process.stdout.on('drain', () => {
  if (dropped > 0) {
    const frame = Buffer.alloc(16);
    frame.writeUInt32LE(0xffffffff, 0);
    frame.writeUInt32LE(dropped, 4);
    frame.writeDoubleLE(Date.now(), 8);
    dropped = 0;
    process.stdout.write(frame);
  }
});

cap.on('packet', (nbytes) => {
  if (process.stdout.writableLength > MAX_QUEUED) {
    dropped++;
    return;
  }
  if (pos + 16 + nbytes > BATCH) flush();
  out.writeUInt32LE(nbytes, pos);
  out.writeUInt32LE(0, pos + 4);
  out.writeDoubleLE(Date.now(), pos + 8);
  packet.copy(out, pos + 16, 0, nbytes);
  pos += 16 + nbytes;
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});

// The parent closes our stdin when it detaches (or dies): stop capturing and leave.
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => {
  cap.close();
  flush();
  process.exit(0);
});
process.on('SIGTERM', () => {
  cap.close();
  process.exit(0);
});
