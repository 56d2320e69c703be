#!/usr/bin/env node
// One live capture with `cap` (libpcap), in its own process: `node bin/shipwatch-capture.js IFACE SNAPLEN [FILTER]`.
//
// `cap` runs with the project's patch (patches/cap+0.2.1.patch): a real snaplen, TPACKET_V3
// blocks instead of immediate mode, every packet of a wake-up packed into one buffer and handed
// over in one call, pcap_stats, and an 'error' event where upstream aborted the process.
//
// Why still a child process: native code reading a ring the kernel writes is the one part of the
// agent that can take the whole process down; here a crash only ends this child, and the agent
// sees it exit and detaches. Packets go to the parent on stdout, framed:
//   hello:   "SWCP" u32le linktype
//   packet:  u32le caplen, u32le wire length, f64le kernel timestamp (epoch ms), caplen bytes
//   dropped: u32le 0xffffffff, u32le count, f64le epoch ms   (packets missed since the previous
//            such frame, every second: the kernel's count of those our ring had no room for, from
//            pcap_stats, plus those shed here because the agent was behind — see below)
// Batches are written as they come. stdout is a socket pair (what Node's spawn makes), written
// without blocking: what the agent has not read yet queues here. That queue is bounded: when the
// agent falls behind (a flood beyond what it can handle) by more than MAX_UNREAD_BYTES, whole
// batches are shed and counted, and the count goes out in the next dropped frame, beside the
// kernel's. Without the bound this process held a flood's every packet (measured: 1 million
// packets, 180 MiB, handed over a minute late) and counted none of them as missed.
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { clearInterval, setInterval } from 'node:timers';

const require = createRequire(import.meta.url);
const { Cap } = require('cap');

const [iface = '', snaplenArg = '256', filter = ''] = process.argv.slice(2);
const snaplen = Math.max(64, Math.min(65535, Number(snaplenArg) || 256));
const LINK_TYPES = { NULL: 0, ETHERNET: 1, RAW: 101, LINKTYPE_LINUX_SLL: 113 };
const BATCH_BYTES = 1 << 20;
// With TPACKET_V3 the ring is packed by actual length, so 32 MiB holds ~100k short packets:
// half a second at 200k packets/s.
const RING_BYTES = 32 << 20;
// A block of the ring is handed over when full or after this long: the worst-case added latency.
const BLOCK_TIMEOUT_MS = 20;
const STATS_EVERY_MS = 1000;
// ~8 MiB is 30 000 to 80 000 captured packets: a second or two of a busy bridge for the agent to
// catch up on, not a minute.
const MAX_UNREAD_BYTES = 8 << 20;

const cap = new Cap();
if (typeof cap.stats !== 'function') {
  process.stderr.write('cap is not patched (patches/cap+0.2.1.patch): reinstall with `npm ci`\n');
  process.exit(3);
}
// cap keeps a raw pointer into this Buffer for as long as the capture is open: it must stay
// reachable (module scope, for the life of the process), or libpcap writes into freed memory.
const batch = Buffer.alloc(BATCH_BYTES);
globalThis.__swCaptureBatchBuffer = batch;

let linkName;
try {
  linkName = cap.open(iface, filter, RING_BYTES, batch, {
    snaplen,
    immediate: false,
    timeout: BLOCK_TIMEOUT_MS,
    batch: true,
  });
} catch (error) {
  process.stderr.write(`open ${iface}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
}

const hello = Buffer.alloc(8);
hello.write('SWCP', 0, 'latin1');
hello.writeUInt32LE(LINK_TYPES[linkName] ?? 0xffff, 4);
process.stdout.write(hello);

let shed = 0;
cap.on('packets', (bytes, count) => {
  if (process.stdout.writableLength > MAX_UNREAD_BYTES) {
    shed += count;
    return;
  }
  // Nothing queued: write the batch straight from cap's buffer, and copy only what the socket did
  // not take. The copy of every batch (and its allocation) was a fifth of this process's CPU at
  // 100 000 packets/s. With something queued the batch goes behind it, so frames stay in order.
  let written = 0;
  if (process.stdout.writableLength === 0) {
    try {
      // The descriptor is non-blocking (Node made it so for process.stdout): a full socket throws
      // EAGAIN rather than stalling the capture.
      written = writeSync(1, batch, 0, bytes);
    } catch {
      // EAGAIN, or a failure the stream's own write below reports (its 'error' handler exits).
    }
  }
  // The batch buffer is refilled at the next wake-up: hand the stream a copy of the rest.
  if (written < bytes) process.stdout.write(Buffer.from(batch.subarray(written, bytes)));
});

let droppedSoFar = 0;
function reportDrops() {
  let stats;
  try {
    stats = cap.stats();
  } catch {
    return;
  }
  // ps_drop is a 32-bit counter in libpcap: take the difference modulo 2^32.
  const fresh = ((stats.dropped - droppedSoFar) >>> 0) + shed;
  droppedSoFar = stats.dropped;
  shed = 0;
  if (fresh === 0) return;
  const frame = Buffer.alloc(16);
  frame.writeUInt32LE(0xffffffff, 0);
  frame.writeUInt32LE(fresh, 4);
  frame.writeDoubleLE(Date.now(), 8);
  process.stdout.write(frame);
}
const statsTimer = setInterval(reportDrops, STATS_EVERY_MS);

function stop(code) {
  clearInterval(statsTimer);
  reportDrops();
  cap.close();
  process.exit(code);
}

cap.on('error', (error) => {
  // The interface went away (network removed) or the socket failed: say why and leave.
  process.stderr.write(`capture on ${iface} ended: ${error.message}\n`);
  stop(4);
});

// The agent is gone and nobody reads what we capture.
process.stdout.on('error', () => {
  cap.close();
  process.exit(0);
});

// The parent closes our stdin when it detaches (or dies): stop capturing and leave.
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => stop(0));
process.on('SIGTERM', () => stop(0));
